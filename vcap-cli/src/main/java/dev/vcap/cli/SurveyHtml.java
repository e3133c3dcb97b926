package dev.vcap.cli;

import static dev.vcap.cli.Svg.esc;

import java.util.ArrayList;
import java.util.List;

/** The {@code vcap survey --html} page: charts as inline SVG, the totals, and every device's row. */
final class SurveyHtml {

    static final String PLACED = "#2e7d32";
    static final String DECLINED = "#9e9e9e";
    static final String REFUSED = "#c62828";
    static final String WITHHELD = "#6d4c41";

    private SurveyHtml() {
    }

    static String render(List<SurveyRow> rows, SurveyTotals t) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>vcap survey: where does vPASID go?</title>\n<style>\n")
                .append("body{font-family:'DejaVu Sans',Arial,sans-serif;margin:24px;color:#222;max-width:1400px}\n")
                .append("h1{font-size:22px}h2{font-size:17px;margin-top:28px}\n")
                .append("table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px;")
                .append("text-align:left;vertical-align:top}th{background:#eee}\n")
                .append("td.n{text-align:right}.placed{color:#2e7d32}.refused{color:#c62828;font-weight:bold}")
                .append(".declined{color:#777}.charts{display:flex;flex-wrap:wrap;gap:28px}\n")
                .append("</style>\n</head>\n<body>\n<h1>vcap survey: where does vPASID go?</h1>\n");
        h.append(String.format("<p>%d files, %d devices; %d surveyed (assignable PCI Express with 4 KiB config space),"
                + " %d skipped."
                + " Each policy is asked on its own about an 8-byte PASID in the guest-visible config space"
                + " (vfio-pci's Linux 6.15 view, then the default hiding policy).</p>%n", t.files, t.devices, t.surveyed,
                t.devices - t.surveyed));
        h.append("<div class=\"charts\">\n");
        List<String> cols = SurveyTotals.COLUMNS;
        int[][] v = new int[cols.size()][4];
        for (int i = 0; i < cols.size(); i++) {
            v[i][0] = t.outcome(cols.get(i), "placed");
            v[i][1] = t.outcome(cols.get(i), "declined");
            v[i][2] = t.outcome(cols.get(i), "withheld");
            v[i][3] = t.outcome(cols.get(i), "refused");
        }
        h.append(Svg.stackedBars("What each policy yields", cols, List.of(new Svg.Series("placed", PLACED),
                new Svg.Series("declined", DECLINED), new Svg.Series("withheld", WITHHELD),
                new Svg.Series("refused / unsafe", REFUSED)), v, t.surveyed));
        int[][] tail = new int[1][SurveyRow.TAIL_STATES.size()];
        for (int i = 0; i < SurveyRow.TAIL_STATES.size(); i++) {
            tail[0][i] = t.tail.get(SurveyRow.TAIL_STATES.get(i));
        }
        h.append(Svg.stackedBars("Is 0xff8 free?", List.of("0xff8"), List.of(new Svg.Series("free", PLACED),
                new Svg.Series("overlap", REFUSED), new Svg.Series("non-zero", "#ef6c00"),
                new Svg.Series("forbidden", WITHHELD)), tail, t.surveyed));
        List<String> comparisons = SurveyRow.COMPARISONS;
        int[] cmp = new int[comparisons.size()];
        for (int i = 0; i < cmp.length; i++) {
            cmp[i] = t.comparison.get(comparisons.get(i));
        }
        int[][] cmpRows = new int[cmp.length][1];
        for (int i = 0; i < cmp.length; i++) {
            cmpRows[i][0] = cmp[i];
        }
        h.append(Svg.stackedBars("QEMU 11.0's 0xff8 against vcap's choice", comparisons,
                List.of(new Svg.Series("devices", "#1565c0")), cmpRows, t.surveyed));
        List<String> buckets = new ArrayList<>();
        int[] counts = new int[15];
        for (int b = 0; b < 15; b++) {
            buckets.add(String.format("%x00", b + 1));
            counts[b] = t.vcapOffsets.getOrDefault((b + 1) << 8, 0);
        }
        h.append(Svg.columns("Where vcap's chain puts vPASID (by 0x100 page)", buckets, counts, PLACED));
        h.append("</div>\n");

        h.append("<h2>Declines and refusals by reason</h2>\n<table>\n<tr><th>policy</th><th>devices</th>"
                + "<th>reason</th></tr>\n");
        for (String c : cols) {
            for (var e : t.reasons.get(c).entrySet()) {
                h.append(String.format("<tr><td>%s</td><td class=\"n\">%d</td><td>%s</td></tr>%n", esc(c), e.getValue(),
                        esc(e.getKey())));
            }
        }
        h.append("</table>\n");
        h.append(String.format("<p>Devices whose extended-space gaps hold non-zero bytes: %d of %d (%s).</p>%n",
                t.withNonZeroGaps, t.surveyed, SurveyTotals.percent(t.withNonZeroGaps, t.surveyed)));
        if (!t.skipped.isEmpty()) {
            h.append("<h2>Skipped devices</h2>\n<table>\n<tr><th>devices</th><th>why</th></tr>\n");
            t.skipped.forEach((why, n) -> h.append(String.format("<tr><td class=\"n\">%d</td><td>%s</td></tr>%n", n,
                    esc(why))));
            h.append("</table>\n");
        }

        h.append("<h2>Devices</h2>\n<table>\n<tr><th>address</th><th>ID</th><th>quirk table</th><th>DVSEC hint</th>"
                + "<th>gap search</th><th>QEMU 11.0</th><th>vcap</th><th>0xff8</th><th>non-zero gaps</th>"
                + "<th>QEMU vs vcap</th><th>source</th></tr>\n");
        for (SurveyRow r : rows) {
            if (r.skipped() != null) {
                continue;
            }
            h.append(String.format("<tr><td>%s</td><td>%04x:%04x</td>%s%s%s%s%s<td title=\"%s\">%s</td><td>%s</td>"
                    + "<td>%s</td><td>%s</td></tr>%n", r.device().address(), r.device().vendorId(), r.device().deviceId(),
                    cell(r.policies().get("quirk-table")), cell(r.policies().get("dvsec-hint")),
                    cell(r.policies().get("gap-search")), cell(r.qemu()), cell(r.vcap()), esc(r.tailDetail()),
                    esc(r.tail()), esc(String.join(" ", r.nonZeroGaps().stream().map(Object::toString).toList())),
                    esc(r.comparison()), esc(SurveyCommand.shortSource(r.device().origin()))));
        }
        h.append("</table>\n</body>\n</html>\n");
        return h.toString();
    }

    private static String cell(SurveyRow.Answer a) {
        String text = a.placed() ? String.format("0x%03x", a.offset()) : a.outcome();
        return String.format("<td class=\"%s\" title=\"%s\">%s</td>", a.outcome(), esc(a.policy() + ": " + a.reason()),
                esc(text));
    }
}
