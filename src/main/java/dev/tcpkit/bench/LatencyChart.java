package dev.tcpkit.bench;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The {@code --plot} chart: latency by percentile, drawn like HdrHistogram's plots. The x axis is {@code 1 / (1 -
 * percentile)} on a log scale, so 90%, 99%, 99.9%, 99.99% are equally spaced and the tail, where the interesting
 * latencies are, gets as much room as the median. Rendered off-screen (headless), so it works without a display.
 */
public final class LatencyChart {
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 600;

    private LatencyChart() {}

    /** Writes the chart of {@code result} as a PNG file at {@code file}. */
    public static void write(BenchResult result, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BenchConfig c = result.config();
        boolean connectMode = c.mode() == BenchMode.CONNECT;
        XYChart chart = new XYChartBuilder()
                .width(WIDTH)
                .height(HEIGHT)
                .title(title(result))
                .xAxisTitle("percentile")
                .yAxisTitle("latency (ms)")
                .build();
        XYStyler style = chart.getStyler();
        style.setXAxisLogarithmic(true);
        style.setxAxisTickLabelsFormattingFunction(LatencyChart::percentileLabel);
        style.setYAxisMin(0.0);
        style.setChartBackgroundColor(Color.WHITE);
        style.setLegendPosition(Styler.LegendPosition.InsideNW);
        if (connectMode) {
            add(chart, "connect", result.connectLatency());
            add(chart, "echo", result.latency());
        } else {
            add(chart, c.rate() > 0 ? "latency from the scheduled send" : "latency", result.latency());
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }

    private static String title(BenchResult r) {
        BenchConfig c = r.config();
        return String.format(
                Locale.ROOT,
                "tcpkit bench %s: %s, %,d connections, %s",
                c.displayAddress(),
                c.mode().displayName(),
                c.connections(),
                Units.size(c.size()));
    }

    private static void add(XYChart chart, String name, Histogram h) {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        if (h.getTotalCount() > 0) {
            for (HistogramIterationValue v : h.percentiles(5)) {
                double percentile = v.getPercentileLevelIteratedTo();
                if (percentile >= 100) {
                    break; // 1 / (1 - 1) is infinite: the maximum is in the legend instead
                }
                x.add(1 / (1 - percentile / 100));
                y.add(v.getValueIteratedTo() / 1e6);
            }
        }
        if (x.isEmpty()) {
            x.add(1.0);
            y.add(0.0);
        }
        String label = h.getTotalCount() == 0 ? name : name + " (max " + Units.latency((double) h.getMaxValue()) + ")";
        XYSeries series = chart.addSeries(label, x, y);
        series.setMarker(SeriesMarkers.NONE);
    }

    /** 1 → 0%, 10 → 90%, 100 → 99%, 1000 → 99.9%. */
    private static String percentileLabel(double x) {
        double percentile = 100 * (1 - 1 / x);
        if (percentile < 1e-9) {
            return "0%";
        }
        String text = String.format(Locale.ROOT, "%.6f", percentile)
                .replaceAll("0+$", "")
                .replaceAll("\\.$", "");
        return text + "%";
    }
}
