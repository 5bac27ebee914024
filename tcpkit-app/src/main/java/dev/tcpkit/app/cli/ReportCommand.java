package dev.tcpkit.app.cli;

import dev.tcpkit.app.bench.JsonReport;
import dev.tcpkit.app.bench.LatencyChart;
import dev.tcpkit.app.bench.MergedLogs;
import dev.tcpkit.app.bench.TextReport;
import dev.tcpkit.internal.Errors;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tcpkit report FILE…}: merges {@code bench --hdr-log} files into one report. A top-level command, because
 * picocli cannot hang a subcommand under {@code bench}, whose HOST and PORT are required.
 */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Merges HdrHistogram interval logs (bench --hdr-log, from one or several generators) into one report:"
                    + " the percentiles of every latency of every log, not averages of percentiles.",
            "The report has bench's latency lines (or its JSON latency fields) and goes to stdout."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the report was printed",
            "1:a file cannot be read or is not an interval log, or the chart cannot be written",
            "2:usage error"
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  tcpkit bench 10.0.0.5 50007 --start-at 2026-01-01T12:00:00Z --hdr-log a.hlog",
            "  tcpkit bench 10.0.0.5 50007 --start-at 2026-01-01T12:00:00Z --hdr-log b.hlog",
            "  tcpkit report a.hlog b.hlog --plot latency.png"
        })
final class ReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Interval logs written by bench --hdr-log.")
    List<Path> files;

    @Option(names = "--json", description = "Print the report as one JSON object on stdout.")
    boolean json;

    @Option(
            names = "--plot",
            paramLabel = "FILE.png",
            description = "Also draw the merged latency by percentile as a chart: PNG, or JPEG for a .jpg or .jpeg"
                    + " FILE.")
    @Nullable
    Path plot;

    @Override
    public Integer call() throws IOException {
        BenchCommand.checkPlot(spec, plot);
        MergedLogs merged = MergedLogs.read(files);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(JsonReport.format(merged));
        } else {
            out.print(TextReport.format(merged));
        }
        out.flush();
        if (plot != null) {
            try {
                LatencyChart.write(merged, plot);
            } catch (IOException e) {
                throw new IOException("cannot write " + plot + ": " + Errors.reason(e), e);
            }
        }
        return 0;
    }
}
