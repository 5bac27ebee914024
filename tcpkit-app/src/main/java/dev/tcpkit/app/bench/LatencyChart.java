package dev.tcpkit.app.bench;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * The {@code --plot} chart: latency by percentile, drawn like HdrHistogram's plots. The x axis is {@code log10(1 / (1
 * - percentile))}, so 0%, 90%, 99%, 99.9%, 99.99% are equally spaced and the tail, where the interesting latencies
 * are, gets as much room as the median. (XChart's own logarithmic axis ignores custom tick labels, so the logarithm
 * is taken here and the labels name the percentile of each whole decade.) Rendered off-screen (headless), so it works
 * without a display.
 */
public final class LatencyChart {
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 600;

    private LatencyChart() {}

    /** Writes the chart of {@code result} as a PNG file at {@code file}. */
    public static void write(BenchResult result, Path file) throws IOException {
        BenchConfig c = result.config();
        Map<String, Histogram> curves = new LinkedHashMap<>();
        if (c.mode() == BenchMode.CONNECT) {
            curves.put("connect", result.connectLatency());
            curves.put("echo", result.latency());
        } else {
            curves.put(c.rate() > 0 ? "latency from the scheduled send" : "latency", result.latency());
        }
        write(title(result), curves, file);
    }

    /** Writes the chart of the merged logs {@code merged} as a PNG file at {@code file}. */
    public static void write(MergedLogs merged, Path file) throws IOException {
        Map<String, Histogram> curves = new LinkedHashMap<>();
        if (merged.connectLatency().getTotalCount() > 0) {
            curves.put("connect", merged.connectLatency());
            curves.put("echo", merged.latency());
        } else {
            curves.put("latency", merged.latency());
        }
        String title = String.format(
                Locale.ROOT,
                "tcpkit report: %,d log%s, %,d samples",
                merged.files().size(),
                merged.files().size() == 1 ? "" : "s",
                merged.latency().getTotalCount());
        write(title, curves, file);
    }

    /** The chart of one curve per entry of {@code curves} (name → latencies), in their order. */
    private static void write(String title, Map<String, Histogram> curves, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder()
                .width(WIDTH)
                .height(HEIGHT)
                .title(title)
                .xAxisTitle("percentile")
                .yAxisTitle("latency (ms)")
                .build();
        XYStyler style = chart.getStyler();
        style.setxAxisTickLabelsFormattingFunction(LatencyChart::percentileLabel);
        style.setYAxisMin(0.0);
        style.setXAxisMin(0.0);
        style.setXAxisTickMarkSpacingHint(120);
        style.setChartBackgroundColor(Color.WHITE);
        style.setLegendPosition(Styler.LegendPosition.InsideNW);
        double decades = 0;
        for (Map.Entry<String, Histogram> curve : curves.entrySet()) {
            decades = Math.max(decades, add(chart, curve.getKey(), curve.getValue()));
        }
        // End on a whole decade, so the last tick is a round percentile.
        style.setXAxisMax(Math.max(1, Math.ceil(decades)));
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

    /** Adds the percentile curve of {@code h}; returns how many decades of percentiles it reaches. */
    private static double add(XYChart chart, String name, Histogram h) {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        if (h.getTotalCount() > 0) {
            for (HistogramIterationValue v : h.percentiles(5)) {
                double percentile = v.getPercentileLevelIteratedTo();
                if (percentile >= 100) {
                    break; // 1 / (1 - 1) is infinite: the maximum is in the legend instead
                }
                x.add(Math.log10(1 / (1 - percentile / 100)));
                y.add(v.getValueIteratedTo() / 1e6);
            }
        }
        if (x.isEmpty()) {
            x.add(0.0);
            y.add(0.0);
        }
        String label = h.getTotalCount() == 0 ? name : name + " (max " + Units.latency((double) h.getMaxValue()) + ")";
        XYSeries series = chart.addSeries(label, x, y);
        series.setMarker(SeriesMarkers.NONE);
        return x.get(x.size() - 1);
    }

    /**
     * 0 → 0%, 1 → 90%, 2 → 99%, 3 → 99.9%; a tick between whole decades gets as many decimals as make it distinct
     * (XChart keeps looking for other ticks while two labels are the same).
     */
    static String percentileLabel(double decades) {
        double percentile = 100 * (1 - Math.pow(10, -decades));
        int decimals = Math.max(0, (int) Math.ceil(decades - 1e-9) - 2);
        if (Math.abs(decades - Math.rint(decades)) > 1e-9) {
            decimals++;
        }
        String text = String.format(Locale.ROOT, "%." + decimals + "f", percentile);
        return text + "%";
    }
}
