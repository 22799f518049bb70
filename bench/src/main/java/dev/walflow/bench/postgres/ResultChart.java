package dev.walflow.bench.postgres;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A PNG of a run: each walflow rate as a share of PostgreSQL's limit measured in the same run
 * (with the targets marked), and commit-to-target latency of the streaming workloads.
 */
final class ResultChart {

    private static final int WIDTH = 1200;
    private static final int LABEL = 330;
    private static final int BAR = 22;
    private static final int GAP = 8;
    private static final Color WALFLOW = new Color(0x2b6cb0);
    private static final Color P50 = new Color(0x38a169);
    private static final Color P99 = new Color(0xdd6b20);

    private ResultChart() {}

    static void write(List<Result> results, String title, Path file) throws IOException {
        List<Result> streaming = results.stream().filter(r -> !Double.isNaN(r.p50())).toList();
        int top = 70;
        int ratioHeight = results.size() * (BAR + GAP) + 40;
        int latencyTop = top + ratioHeight + 60;
        int height = latencyTop + streaming.size() * (BAR * 2 + GAP) + 70;
        BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, height);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
            g.drawString(title, 20, 30);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            g.drawString("walflow throughput as a share of PostgreSQL's own limit in the same run"
                    + " (streaming: pg_recvlogical decode; snapshot: COPY); | marks the target", 20, 52);
            ratios(g, results, top);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            g.drawString("commit-to-target latency, ms (green p50, orange p99), at half the measured rate", 20, latencyTop - 18);
            latencies(g, streaming, latencyTop);
        } finally {
            g.dispose();
        }
        ImageIO.write(image, "png", file.toFile());
    }

    private static void ratios(Graphics2D g, List<Result> results, int top) {
        double max = Math.max(1.0, results.stream().mapToDouble(Result::ratio).max().orElse(1));
        int plot = WIDTH - LABEL - 260;
        int y = top;
        for (Result r : results) {
            g.setColor(Color.BLACK);
            g.drawString(r.what() + " · " + r.mode(), 20, y + BAR - 6);
            int w = (int) Math.round(plot * r.ratio() / max);
            g.setColor(WALFLOW);
            g.fillRect(LABEL, y, Math.max(1, w), BAR);
            double target = r.limitName().startsWith("COPY") ? 0.1 : 0.5;
            int tx = LABEL + (int) Math.round(plot * target / max);
            g.setColor(Color.RED);
            g.setStroke(new BasicStroke(2));
            g.drawLine(tx, y - 2, tx, y + BAR + 2);
            g.setColor(Color.BLACK);
            g.drawString(String.format(Locale.ROOT, "%.2f  (%,.0f of %,.0f /s)", r.ratio(), r.rate(), r.limitRate()),
                    LABEL + Math.max(w, tx - LABEL) + 8, y + BAR - 6);
            y += BAR + GAP;
        }
        axis(g, top, y, plot, max, "%.2f");
    }

    private static void latencies(Graphics2D g, List<Result> streaming, int top) {
        double max = Math.max(1, streaming.stream().mapToDouble(Result::p99).filter(v -> !Double.isNaN(v)).max().orElse(1));
        int plot = WIDTH - LABEL - 160;
        int y = top;
        for (Result r : streaming) {
            g.setColor(Color.BLACK);
            g.drawString(r.what() + " · " + r.mode(), 20, y + BAR + 4);
            bar(g, y, plot, r.p50(), max, P50);
            bar(g, y + BAR, plot, r.p99(), max, P99);
            y += BAR * 2 + GAP;
        }
        axis(g, top, y, plot, max, "%.0f");
    }

    private static void bar(Graphics2D g, int y, int plot, double value, double max, Color color) {
        int w = (int) Math.round(plot * value / max);
        g.setColor(color);
        g.fillRect(LABEL, y + 1, Math.max(1, w), BAR - 2);
        g.setColor(Color.BLACK);
        g.drawString(String.format(Locale.ROOT, "%.0f", value), LABEL + w + 6, y + BAR - 6);
    }

    private static void axis(Graphics2D g, int top, int bottom, int plot, double max, String format) {
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1));
        g.drawLine(LABEL, bottom, LABEL + plot, bottom);
        for (int i = 0; i <= 4; i++) {
            int x = LABEL + plot * i / 4;
            g.drawLine(x, bottom, x, bottom + 4);
            g.drawString(String.format(Locale.ROOT, format, max * i / 4), x - 8, bottom + 18);
        }
        g.drawLine(LABEL, top - 4, LABEL, bottom);
    }
}
