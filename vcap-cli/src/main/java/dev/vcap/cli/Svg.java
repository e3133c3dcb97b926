package dev.vcap.cli;

import java.util.List;
import java.util.Locale;

/**
 * Inline SVG for the HTML outputs: escaping, horizontal stacked bar charts and vertical bar
 * charts. Plain strings, no script, no external resources; coordinates are integers so the output
 * is byte-identical run to run.
 */
final class Svg {

    static final String FONT = "font-family=\"DejaVu Sans, Arial, sans-serif\"";

    private Svg() {
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** One series of a stacked chart. */
    record Series(String name, String colour) {
    }

    /**
     * Horizontal stacked bars, one row per label, each row's segments scaled to {@code total}; the
     * count is written inside each segment wide enough to hold it, and the row's sum at its end.
     */
    static String stackedBars(String title, List<String> rows, List<Series> series, int[][] values, int total) {
        int labelW = 190;
        int barW = 520;
        int rowH = 26;
        int top = 34;
        int legendY = top + rows.size() * rowH + 14;
        int height = legendY + 22;
        int width = labelW + barW + 70;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\" %s font-size=\"12\">%n", width, height, width,
                height, esc(title), FONT));
        s.append(String.format("<text x=\"0\" y=\"18\" font-size=\"14\" font-weight=\"bold\">%s</text>%n", esc(title)));
        for (int r = 0; r < rows.size(); r++) {
            int y = top + r * rowH;
            s.append(String.format("<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n", labelW - 8, y + 15,
                    esc(rows.get(r))));
            int x = labelW;
            int sum = 0;
            for (int k = 0; k < series.size(); k++) {
                int v = values[r][k];
                sum += v;
                if (v == 0 || total == 0) {
                    continue;
                }
                int w = Math.max(1, (int) Math.round((double) barW * v / total));
                s.append(String.format("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>%s: %s %d"
                        + "</title></rect>%n", x, y + 2, w, rowH - 6, series.get(k).colour(), esc(rows.get(r)),
                        esc(series.get(k).name()), v));
                if (w >= 8 * String.valueOf(v).length() + 6) {
                    s.append(String.format("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#fff\">%d</text>%n",
                            x + w / 2, y + 15, v));
                }
                x += w;
            }
            s.append(String.format("<text x=\"%d\" y=\"%d\">%d</text>%n", x + 6, y + 15, sum));
        }
        int lx = labelW;
        for (Series se : series) {
            s.append(String.format("<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>%n", lx, legendY,
                    se.colour()));
            s.append(String.format("<text x=\"%d\" y=\"%d\">%s</text>%n", lx + 16, legendY + 10, esc(se.name())));
            lx += 24 + 7 * se.name().length();
        }
        s.append("</svg>\n");
        return s.toString();
    }

    /** Vertical bars with a label under each and the count above. */
    static String columns(String title, List<String> labels, int[] values, String colour) {
        int colW = 44;
        int plotH = 160;
        int top = 40;
        int width = Math.max(300, labels.size() * colW + 20);
        int height = top + plotH + 36;
        int max = 1;
        for (int v : values) {
            max = Math.max(max, v);
        }
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\" %s font-size=\"11\">%n", width, height, width,
                height, esc(title), FONT));
        s.append(String.format("<text x=\"0\" y=\"18\" font-size=\"14\" font-weight=\"bold\">%s</text>%n", esc(title)));
        int base = top + plotH;
        s.append(String.format("<line x1=\"10\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>%n", base, width - 10, base));
        for (int i = 0; i < labels.size(); i++) {
            int x = 14 + i * colW;
            int h = (int) Math.round((double) plotH * values[i] / max);
            if (values[i] > 0) {
                s.append(String.format("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>%s: %d"
                        + "</title></rect>%n", x, base - h, colW - 8, Math.max(h, 1), colour, esc(labels.get(i)),
                        values[i]));
            }
            s.append(String.format("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d</text>%n", x + (colW - 8) / 2,
                    base - h - 4, values[i]));
            s.append(String.format("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x + (colW - 8) / 2,
                    base + 16, esc(labels.get(i))));
        }
        s.append("</svg>\n");
        return s.toString();
    }
}
