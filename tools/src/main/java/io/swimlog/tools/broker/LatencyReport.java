package io.swimlog.tools.broker;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes a latency histogram (values in microseconds) as HdrHistogram's {@code .hgrm} percentile distribution
 * and as a self-contained HTML page with an SVG percentile plot (log scale of 1 / (1 - percentile), the usual
 * HdrHistogram plot), so a run can be looked at without any tool.
 */
final class LatencyReport
{
    static final double[] PERCENTILES = { 50, 90, 99, 99.9, 99.99 };

    private LatencyReport()
    {
    }

    static void writeHgrm(final Histogram histogram, final Path file) throws IOException
    {
        try (PrintStream out = new PrintStream(new FileOutputStream(file.toFile()), true, StandardCharsets.UTF_8))
        {
            histogram.outputPercentileDistribution(out, 1.0);
        }
    }

    static void writeHtml(final Histogram histogram, final String title, final Path file) throws IOException
    {
        final List<double[]> points = new ArrayList<>();
        for (final HistogramIterationValue value : histogram.percentiles(5))
        {
            final double percentile = value.getPercentileLevelIteratedTo() / 100.0;
            if (percentile >= 1.0)
            {
                break;
            }
            points.add(new double[] { 1.0 / (1.0 - percentile), value.getValueIteratedTo() });
        }
        points.add(new double[] { 1_000_000, histogram.getMaxValue() });

        final int width = 800;
        final int height = 400;
        final int margin = 60;
        final double maxX = Math.log10(1_000_000);
        final double maxY = Math.max(1, histogram.getMaxValue()) * 1.1;
        final StringBuilder path = new StringBuilder();
        for (final double[] point : points)
        {
            final double x = margin + (Math.log10(point[0]) / maxX) * (width - 2 * margin);
            final double y = height - margin - (point[1] / maxY) * (height - 2 * margin);
            path.append(path.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", x, y));
        }
        final StringBuilder axes = new StringBuilder();
        final String[] labels = { "0%", "90%", "99%", "99.9%", "99.99%", "99.999%", "99.9999%" };
        for (int i = 0; i <= 6; i++)
        {
            final double x = margin + (i / maxX) * (width - 2 * margin);
            axes.append(String.format(Locale.ROOT,
                "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#ddd'/><text x='%.1f' y='%d' font-size='11' " +
                "text-anchor='middle'>%s</text>", x, margin, x, height - margin, x, height - margin + 15, labels[i]));
        }
        for (int i = 0; i <= 4; i++)
        {
            final double value = maxY * i / 4;
            final double y = height - margin - (value / maxY) * (height - 2 * margin);
            axes.append(String.format(Locale.ROOT,
                "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#ddd'/><text x='%d' y='%.1f' font-size='11' " +
                "text-anchor='end'>%.0f</text>", margin, y, width - margin, y, margin - 5, y + 4, value));
        }

        final StringBuilder table = new StringBuilder();
        for (final double percentile : PERCENTILES)
        {
            table.append("<tr><td>p").append(format(percentile)).append("</td><td>")
                .append(histogram.getValueAtPercentile(percentile)).append("</td></tr>");
        }
        table.append("<tr><td>max</td><td>").append(histogram.getMaxValue()).append("</td></tr>");

        final String html = "<!DOCTYPE html><html><head><meta charset='utf-8'><title>" + escape(title) +
            "</title></head><body style='font-family:sans-serif'><h2>" + escape(title) + "</h2>" +
            "<svg width='" + width + "' height='" + height + "' xmlns='http://www.w3.org/2000/svg'>" + axes +
            "<path d='" + path + "' fill='none' stroke='#c33' stroke-width='2'/>" +
            "<text x='" + (width / 2) + "' y='" + (height - 15) + "' font-size='12' text-anchor='middle'>percentile" +
            "</text><text x='15' y='" + (height / 2) + "' font-size='12' transform='rotate(-90 15," + (height / 2) +
            ")' text-anchor='middle'>latency (µs)</text></svg>" +
            "<table border='1' cellpadding='4'><tr><th>percentile</th><th>µs</th></tr>" + table + "</table>" +
            "<p>" + histogram.getTotalCount() + " samples</p></body></html>\n";
        Files.writeString(file, html, StandardCharsets.UTF_8);
    }

    static void printText(final PrintWriter out, final String what, final Histogram histogram)
    {
        final StringBuilder line = new StringBuilder(what).append(" latency µs:");
        for (final double percentile : PERCENTILES)
        {
            line.append(" p").append(format(percentile)).append(' ').append(histogram.getValueAtPercentile(percentile));
        }
        line.append(" max ").append(histogram.getMaxValue());
        out.println(line);
    }

    static void appendJson(final StringBuilder json, final String prefix, final Histogram histogram)
    {
        for (final double percentile : PERCENTILES)
        {
            json.append(", ").append(Json.string(prefix + "_p" + format(percentile).replace('.', '_') + "_us"))
                .append(": ").append(histogram.getValueAtPercentile(percentile));
        }
        json.append(", ").append(Json.string(prefix + "_max_us")).append(": ").append(histogram.getMaxValue());
        json.append(", ").append(Json.string(prefix + "_mean_us")).append(": ")
            .append(String.format(Locale.ROOT, "%.1f", histogram.getMean()));
    }

    static String format(final double percentile)
    {
        return percentile == Math.rint(percentile) ? Long.toString((long)percentile) : Double.toString(percentile);
    }

    private static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
