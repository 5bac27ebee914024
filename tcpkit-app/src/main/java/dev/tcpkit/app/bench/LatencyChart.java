package dev.tcpkit.app.bench;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
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
 * The {@code --plot} chart: latency by percentile, drawn like HdrHistogram's plots, as PNG or JPEG by the file's
 * extension. The x axis has the usual percentiles equally spaced, one tick each: 0%, 50%, 90%, 99%, 99.9%, ...; between
 * 50% and beyond, each step is a tenfold smaller share of the samples ({@code log10(1 / (1 - percentile))}), so the
 * tail, where the interesting latencies are, gets as much room as the median. Each curve goes on at its maximum to
 * the end of the axis: above the last percentile its samples resolve, every sample is at most the maximum. Rendered
 * off-screen (headless), so it works without a display.
 */
public final class LatencyChart {
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 600;
    /** Roughly the plot area's width, for the tick spacing. */
    private static final int PLOT_WIDTH = WIDTH - 120;
    /** {@code log10(1 / (1 - 0.5))}: the 50th percentile in decades. */
    private static final double MEDIAN = Math.log10(2);

    /** The image formats by extension; XChart's vector encoders are left out of the build (pom.xml). */
    private static final Map<String, BitmapEncoder.BitmapFormat> FORMATS = Map.of(
            "png",
            BitmapEncoder.BitmapFormat.PNG,
            "jpg",
            BitmapEncoder.BitmapFormat.JPG,
            "jpeg",
            BitmapEncoder.BitmapFormat.JPG);

    private LatencyChart() {}

    /**
     * Checks, before a run, that the chart can be written at {@code file}: its extension names a format and its
     * directory exists.
     *
     * @throws IllegalArgumentException saying in one line what is wrong
     */
    public static void checkFile(Path file) {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException("--plot needs a file name, not a directory: " + file);
        }
        format(file);
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--plot " + file + ": no such directory: " + dir);
        }
    }

    private static BitmapEncoder.BitmapFormat format(Path file) {
        String name = String.valueOf(file.getFileName()).toLowerCase(Locale.ROOT);
        BitmapEncoder.BitmapFormat format = FORMATS.get(name.substring(name.lastIndexOf('.') + 1));
        if (format == null) {
            throw new IllegalArgumentException(
                    "--plot writes .png, .jpg or .jpeg (by the file's extension), not " + file);
        }
        return format;
    }

    /** Writes the chart of {@code result} at {@code file}, in the format its extension names. */
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

    /** Writes the chart of the merged logs {@code merged} at {@code file}, in the format its extension names. */
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
        style.setChartBackgroundColor(Color.WHITE);
        style.setLegendPosition(Styler.LegendPosition.InsideNW);
        double end = 0;
        for (Histogram h : curves.values()) {
            end = Math.max(end, axisEnd(h));
        }
        for (Map.Entry<String, Histogram> curve : curves.entrySet()) {
            add(chart, curve.getKey(), curve.getValue(), end);
        }
        style.setXAxisMax(end);
        // A tick per whole step (a usual percentile): XChart spaces ticks at least this far apart.
        style.setXAxisTickMarkSpacingHint((int) (0.9 * PLOT_WIDTH / end));
        BufferedImage image = BitmapEncoder.getBufferedImage(chart);
        if (format(file) == BitmapEncoder.BitmapFormat.JPG) {
            // JPEG has no alpha channel: ImageIO writes nothing from an ARGB image.
            BufferedImage rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
            rgb.createGraphics().drawImage(image, 0, 0, Color.WHITE, null);
            image = rgb;
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            if (!ImageIO.write(image, format(file) == BitmapEncoder.BitmapFormat.JPG ? "jpeg" : "png", out)) {
                throw new IOException("no image writer for " + file);
            }
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

    /** Where the axis ends for {@code h}: the whole step after its last percentile short of 100%. */
    private static double axisEnd(Histogram h) {
        double last = 0;
        if (h.getTotalCount() > 0) {
            for (HistogramIterationValue v : h.percentiles(5)) {
                if (v.getPercentileLevelIteratedTo() < 100) {
                    last = Math.max(last, position(v.getPercentileLevelIteratedTo()));
                }
            }
        }
        return Math.max(2, Math.floor(last) + 1);
    }

    /** Adds the percentile curve of {@code h}, on at its maximum to {@code end}. */
    private static void add(XYChart chart, String name, Histogram h, double end) {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        if (h.getTotalCount() > 0) {
            for (HistogramIterationValue v : h.percentiles(5)) {
                double percentile = v.getPercentileLevelIteratedTo();
                if (percentile >= 100) {
                    break; // 1 / (1 - 1) is infinite: the maximum is drawn to the axis' end instead
                }
                x.add(position(percentile));
                y.add(v.getValueIteratedTo() / 1e6);
            }
            x.add(end);
            y.add(h.getMaxValue() / 1e6);
        }
        if (x.isEmpty()) {
            x.add(0.0);
            y.add(0.0);
        }
        String label = h.getTotalCount() == 0 ? name : name + " (max " + Units.latency((double) h.getMaxValue()) + ")";
        XYSeries series = chart.addSeries(label, x, y);
        series.setMarker(SeriesMarkers.NONE);
    }

    /**
     * Where {@code percentile} goes on the x axis: 0% at 0, 50% at 1, 90% at 2, 99% at 3, 99.9% at 4, ...; between two
     * of them, in proportion to {@code log10(1 / (1 - percentile))}.
     */
    static double position(double percentile) {
        double decades = Math.log10(1 / (1 - percentile / 100));
        if (decades <= MEDIAN) {
            return decades / MEDIAN;
        }
        return decades <= 1 ? 1 + (decades - MEDIAN) / (1 - MEDIAN) : decades + 1;
    }

    /**
     * The percentile at {@code position} as a tick label: 0 → 0%, 1 → 50%, 2 → 90%, 3 → 99%, 4 → 99.9%; a tick between
     * them gets as many decimals as make it distinct (XChart keeps looking for other ticks while two labels are the
     * same).
     */
    static String percentileLabel(double position) {
        double decades = position <= 1
                ? position * MEDIAN
                : position <= 2 ? MEDIAN + (position - 1) * (1 - MEDIAN) : position - 1;
        double percentile = 100 * (1 - Math.pow(10, -decades));
        int decimals = Math.max(0, (int) Math.ceil(decades - 1e-9) - 2);
        if (Math.abs(position - Math.rint(position)) > 1e-9) {
            decimals++;
        }
        String text = String.format(Locale.ROOT, "%." + decimals + "f", percentile);
        return text + "%";
    }
}
