package io.swimlog.tools.membership;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart written as a PNG with java.awt (works headless: {@code -Djava.awt.headless=true}): a logarithmic
 * x axis (cluster sizes 10 to 10,000 spread evenly), a linear y axis from 0, one coloured line with markers per
 * series and a legend. Points with a negative y (not measured) are left out.
 */
final class LinePlot
{
    private static final int WIDTH = 800;
    private static final int HEIGHT = 500;
    private static final int LEFT = 90;
    private static final int RIGHT = 30;
    private static final int TOP = 50;
    private static final int BOTTOM = 70;
    private static final Color[] COLOURS = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd) };

    private record Series(String name, double[] x, double[] y)
    {
    }

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();

    LinePlot(final String title, final String xLabel, final String yLabel)
    {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    LinePlot series(final String name, final double[] x, final double[] y)
    {
        if (x.length != y.length)
        {
            throw new IllegalArgumentException("x and y differ in length for " + name);
        }
        series.add(new Series(name, x.clone(), y.clone()));
        return this;
    }

    void write(final Path file) throws IOException
    {
        double minX = Double.MAX_VALUE;
        double maxX = -Double.MAX_VALUE;
        double maxY = 0;
        for (final Series s : series)
        {
            for (int i = 0; i < s.x.length; i++)
            {
                if (s.y[i] >= 0)
                {
                    minX = Math.min(minX, s.x[i]);
                    maxX = Math.max(maxX, s.x[i]);
                    maxY = Math.max(maxY, s.y[i]);
                }
            }
        }
        if (minX == Double.MAX_VALUE)
        {
            minX = 1;
            maxX = 10;
        }
        if (minX == maxX)
        {
            minX /= 10;
            maxX *= 10;
        }
        final double yTop = niceCeiling(maxY);
        final double logMin = Math.log10(minX);
        final double logMax = Math.log10(maxX);

        final BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = image.createGraphics();
        try
        {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            final int plotWidth = WIDTH - LEFT - RIGHT;
            final int plotHeight = HEIGHT - TOP - BOTTOM;

            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            g.drawString(title, LEFT, 28);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));

            // Grid and tick labels.
            for (int i = 0; i <= 5; i++)
            {
                final double value = yTop * i / 5;
                final int y = TOP + plotHeight - (int)Math.round(plotHeight * i / 5.0);
                g.setColor(new Color(0xdddddd));
                g.drawLine(LEFT, y, LEFT + plotWidth, y);
                g.setColor(Color.BLACK);
                final String label = format(value);
                g.drawString(label, LEFT - 8 - g.getFontMetrics().stringWidth(label), y + 4);
            }
            for (int decade = (int)Math.ceil(logMin - 1e-9); decade <= (int)Math.floor(logMax + 1e-9); decade++)
            {
                final int x = LEFT + (int)Math.round(plotWidth * (decade - logMin) / (logMax - logMin));
                g.setColor(new Color(0xdddddd));
                g.drawLine(x, TOP, x, TOP + plotHeight);
                g.setColor(Color.BLACK);
                final String label = String.format(Locale.ROOT, "%,d", (long)Math.pow(10, decade));
                g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, TOP + plotHeight + 18);
            }
            g.drawRect(LEFT, TOP, plotWidth, plotHeight);
            g.drawString(xLabel, LEFT + plotWidth / 2 - g.getFontMetrics().stringWidth(xLabel) / 2, HEIGHT - 28);
            final Graphics2D rotated = (Graphics2D)g.create();
            rotated.rotate(-Math.PI / 2);
            rotated.drawString(yLabel, -(TOP + plotHeight / 2 + g.getFontMetrics().stringWidth(yLabel) / 2), 22);
            rotated.dispose();

            // Lines, markers, legend.
            g.setStroke(new BasicStroke(2f));
            int legendY = TOP + 16;
            for (int s = 0; s < series.size(); s++)
            {
                final Series line = series.get(s);
                g.setColor(COLOURS[s % COLOURS.length]);
                int lastX = -1;
                int lastY = -1;
                for (int i = 0; i < line.x.length; i++)
                {
                    if (line.y[i] < 0)
                    {
                        lastX = -1;
                        continue;
                    }
                    final int x = LEFT + (int)Math.round(plotWidth * (Math.log10(line.x[i]) - logMin) / (logMax - logMin));
                    final int y = TOP + plotHeight - (int)Math.round(plotHeight * line.y[i] / yTop);
                    g.fillOval(x - 4, y - 4, 8, 8);
                    if (lastX >= 0)
                    {
                        g.drawLine(lastX, lastY, x, y);
                    }
                    lastX = x;
                    lastY = y;
                }
                g.fillRect(LEFT + 12, legendY - 8, 14, 8);
                g.setColor(Color.BLACK);
                g.drawString(line.name, LEFT + 32, legendY);
                legendY += 18;
            }
        }
        finally
        {
            g.dispose();
        }
        final Path parent = file.toAbsolutePath().getParent();
        if (null != parent)
        {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(image, "png", file.toFile()))
        {
            throw new IOException("no PNG writer in this JRE");
        }
    }

    /**
     * 1, 2 or 5 times a power of ten, at least {@code value} (and at least 1, so an all-zero chart has an axis).
     */
    static double niceCeiling(final double value)
    {
        if (value <= 1)
        {
            return 1;
        }
        final double power = Math.pow(10, Math.floor(Math.log10(value)));
        for (final double step : new double[]{ 1, 2, 5, 10 })
        {
            if (step * power >= value)
            {
                return step * power;
            }
        }
        return 10 * power;
    }

    private static String format(final double value)
    {
        return value == Math.rint(value) ? String.format(Locale.ROOT, "%,d", (long)value) :
            String.format(Locale.ROOT, "%.2f", value);
    }
}
