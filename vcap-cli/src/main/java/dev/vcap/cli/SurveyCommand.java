package dev.vcap.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.vcap.cli.args.CommandDef;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.dump.DeviceSource;
import dev.vcap.pci.dump.DumpFormatException;
import dev.vcap.pci.occupancy.ByteRange;
import dev.vcap.vmm.placement.PlacementOptions;
import dev.vcap.vmm.placement.QuirkTable;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** {@code vcap survey}: where would vPASID go, policy by policy, over many devices. */
final class SurveyCommand extends Command {

    static final CommandDef<SurveyCommand> DEF = CommandDef.of("survey", SurveyCommand::new)
            .header("Ask each placement policy where vPASID goes, per device.")
            .inDeclarationOrder()
            .description(
                "For every assignable PCI Express function with 4 KiB config space (bridges,",
                "which vfio-pci does not bind, are skipped): where each placement policy",
                "would put a synthesized PASID in the guest-visible config space",
                "(vfio-pci's view, default hiding policy) -- quirk table, DVSEC hint, gap",
                "search, QEMU 11.0's 0xff8 and vcap's chain --, whether 0xff8 is free (no",
                "capability, bytes zero, no quirk forbids it), which gaps hold non-zero",
                "bytes, and how QEMU's default compares with vcap's choice. Per-device rows,",
                "then totals; a progress bar on stderr when it is a terminal.",
                "")
            .footer(
                "",
                "Examples:",
                "  vcap survey ../shared/corpus/dumps",
                "  vcap survey --json dumps/ > survey.json",
                "  vcap survey --html survey.html dumps/",
                "",
                "Exit codes: 0 ok; 2 usage; 3 bad input (files that cannot be read are",
                "named on stderr and the rest is still surveyed). See docs/SURVEY.md.")
            .with(LiveRoots.OPTIONS, c -> c.roots)
            .param("DIR", 1, Integer.MAX_VALUE, "Dump directories or files, or PCI addresses of live functions.",
                    (c, v) -> c.files.add(Path.of(v)))
            .flag("--json", "Print JSON (docs/JSON.md) instead of the table.", c -> c.json = true)
            .option("--html", "OUT", "Also write a self-contained HTML report with charts.",
                    (c, v) -> c.html = Path.of(v))
            .flag("--progress", "Draw a progress bar on stderr even when it is not a terminal.", c -> c.progress = true)
            .repeatable("--quirks", "FILE", "A quirk table extending the shipped one (repeatable).",
                    (c, v) -> c.quirks.add(Path.of(v)))
            .flag("--no-shipped-quirks", "Leave out the quirk table shipped with vcap.", c -> c.noShippedQuirks = true);

    final LiveRoots roots = new LiveRoots();
    final List<Path> files = new ArrayList<>();
    boolean json;
    Path html;
    boolean progress;
    final List<Path> quirks = new ArrayList<>();
    boolean noShippedQuirks;

    @Override
    Integer call() throws IOException {
        QuirkTable table = noShippedQuirks ? QuirkTable.empty() : QuirkTable.shipped();
        for (Path q : quirks) {
            table = table.with(q);
        }
        PlacementOptions options = new PlacementOptions(Map.of(), null, List.of(), table, null, true,
                PlacementOptions.Compat.VCAP);
        if (html != null) {
            AtomicFile.checkWritable(html);
        }
        List<DeviceInputs.DeviceInput> inputs = DeviceInputs.expand(files, roots.host());
        PrintWriter err = err();
        List<SurveyRow> rows = html == null ? null : new ArrayList<>(); // only the page needs every row at the end
        List<DumpFormatException> errors = new ArrayList<>();
        SurveyTotals totals = new SurveyTotals();
        totals.files = inputs.size();
        DeviceClasses<SurveyRow> classes = new DeviceClasses<>(d -> SurveyRow.of(d, options));
        try (Report report = json ? new JsonReport(main.rawOut()) : new TextReport(out());
                Progress bar = Progress.over(err, "survey", inputs, progress)) {
            OutputPace pace = new OutputPace(main, report::flush);
            for (DeviceInputs.DeviceInput input : inputs) {
                try (DeviceSource source = new PrefetchingSource(input.open(bar.reading()), pace::now)) {
                    while (source.hasNext()) {
                        DeviceImage next = source.next();
                        if (!DeviceChecks.usable(next, err, errors)) {
                            continue;
                        }
                        SurveyRow row = classes.of(next).forDevice(next);
                        totals.add(row);
                        report.row(row);
                        if (rows != null) {
                            rows.add(row);
                        }
                        bar.device();
                        pace.afterDevice();
                    }
                } catch (DumpFormatException e) {
                    err.println("vcap: " + e.getMessage());
                    errors.add(e);
                }
                bar.step();
            }
            report.totals(totals, errors);
        }
        if (html != null) {
            AtomicFile.write(html, SurveyHtml.render(rows, totals).getBytes(StandardCharsets.UTF_8));
        }
        return errors.isEmpty() ? ExitCodes.OK : ExitCodes.BAD_INPUT;
    }

    /** The survey's output: one row per device as it is surveyed, then the totals. */
    private interface Report extends AutoCloseable {
        void row(SurveyRow r) throws IOException;

        void totals(SurveyTotals t, List<DumpFormatException> errors) throws IOException;

        void flush() throws IOException;

        @Override
        default void close() {
        }
    }

    // ------------------------------------------------------------------ text

    private static final class TextReport implements Report {
        private final PrintWriter out;

        TextReport(PrintWriter out) {
            this.out = out;
            out.println("Where does vPASID go? Each policy asked on its own, on the guest-visible config space");
            out.println("(vfio-pci's view, default hiding policy); '-' = the policy declined (reasons in the totals).");
            out.println();
            out.printf("%-13s %-9s  %-7s %-7s %-7s %-9s %-18s %-9s %-5s %-25s %s%n", "ADDRESS", "ID", "QUIRK", "DVSEC",
                    "GAP", "QEMU", "VCAP", "0xFF8", "NZGAP", "QEMU VS VCAP", "SOURCE");
        }

        @Override
        public void row(SurveyRow r) {
            if (r.skipped() != null) {
                return;
            }
            // the header's columns, padded by hand: one row per device, and a Formatter per row was
            // a measurable part of a large survey (docs/PERFORMANCE.md)
            StringBuilder row = new StringBuilder(160);
            pad(row, r.device().address().toString(), 13).append(' ');
            row.append(HEX.toHexDigits((short) r.device().vendorId())).append(':')
                    .append(HEX.toHexDigits((short) r.device().deviceId())).append("  ");
            pad(row, r.policies().get("quirk-table").cell(), 7).append(' ');
            pad(row, r.policies().get("dvsec-hint").cell(), 7).append(' ');
            pad(row, r.policies().get("gap-search").cell(), 7).append(' ');
            pad(row, r.qemu().outcome().equals("refused") ? "UNSAFE" : r.qemu().cell(), 9).append(' ');
            pad(row, r.vcap().cell() + (r.vcap().placed() ? " " + r.vcap().policy() : ""), 18).append(' ');
            pad(row, r.tail(), 9).append(' ');
            pad(row, Integer.toString(r.nonZeroGaps().size()), 5).append(' ');
            pad(row, r.comparison(), 25).append(' ');
            out.println(row.append(shortSource(r.device().origin())));
        }

        private static final HexFormat HEX = HexFormat.of();

        /** {@code text} left-aligned in {@code width} columns, as {@code %-WIDTHs} prints it. */
        private static StringBuilder pad(StringBuilder row, String text, int width) {
            row.append(text);
            for (int i = text.length(); i < width; i++) {
                row.append(' ');
            }
            return row;
        }

        @Override
        public void totals(SurveyTotals t, List<DumpFormatException> errors) {
            text(out, t);
        }

        @Override
        public void flush() {
            out.flush();
        }
    }

    static void text(PrintWriter out, SurveyTotals t) {
        out.println();
        out.println("Totals");
        out.printf("  files %d, devices %d, surveyed %d (assignable PCI Express with 4 KiB config space), skipped %d%n",
                t.files, t.devices, t.surveyed, t.devices - t.surveyed);
        t.skipped.forEach((why, n) -> out.printf("    skipped %4d  %s%n", n, why));
        out.printf("  surveyed devices with a physical PASID (hidden by vfio-pci): %d%n", t.withPhysicalPasid);
        out.println();
        out.println("  policy        placed  declined  refused   declines and refusals by reason");
        for (String c : SurveyTotals.COLUMNS) {
            out.printf("  %-12s  %6d  %8d  %7d%n", c, t.outcome(c, "placed"), t.outcome(c, "declined")
                    + t.outcome(c, "withheld"), t.outcome(c, "refused"));
            t.reasons.get(c).forEach((why, n) -> out.printf("  %-12s  %6s  %8s  %7s   %4d  %s%n", "", "", "", "", n, why));
        }
        out.println();
        out.printf("  0xff8 (QEMU's default) is free on %d of %d surveyed devices (%s): no capability there,"
                + " the 8 bytes read zero, no quirk forbids it%n", t.tail.get("free"), t.surveyed,
                SurveyTotals.percent(t.tail.get("free"), t.surveyed));
        t.tail.forEach((state, n) -> out.printf("    %-10s %4d  %s%n", state, n, SurveyTotals.percent(n, t.surveyed)));
        out.printf("  devices whose extended-space gaps hold non-zero bytes: %d of %d (%s), %d runs%n", t.withNonZeroGaps,
                t.surveyed, SurveyTotals.percent(t.withNonZeroGaps, t.surveyed), t.nonZeroGapRuns);
        out.println();
        out.println("  QEMU 11.0's 0xff8 against vcap's choice:");
        t.comparison.forEach((k, n) -> out.printf("    %-26s %4d  %s%n", k, n, SurveyTotals.percent(n, t.surveyed)));
        out.println();
        out.printf("  vcap's chain placed %d of %d (%d at 0xff8); deciding policy:%n", t.outcome("vcap", "placed"),
                t.surveyed, t.vcapAtTail);
        t.vcapPolicy.forEach((k, n) -> out.printf("    %-26s %4d%n", k, n));
        out.flush();
    }

    static String shortSource(String origin) {
        int slash = origin.lastIndexOf('/');
        return slash < 0 ? origin : origin.substring(slash + 1);
    }

    // ------------------------------------------------------------------ JSON

    /** Streams {"devices":[...], then "totals" and "errors"}, one device per line. */
    private static final class JsonReport implements Report {
        private final JsonGenerator g;

        JsonReport(java.io.OutputStream out) throws IOException {
            g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8);
            g.writeStartObject();
            g.writeArrayFieldStart("devices");
        }

        @Override
        public void row(SurveyRow r) throws IOException {
            g.writeRaw('\n');
            g.writeStartObject();
            g.writeStringField("address", r.device().address().toString());
            g.writeStringField("source", r.device().origin());
            g.writeNumberField("vendorId", r.device().vendorId());
            g.writeNumberField("deviceId", r.device().deviceId());
            PlanJson.nullableString(g, "skipped", r.skipped());
            if (r.skipped() == null) {
                g.writeObjectFieldStart("policies");
                for (var e : r.policies().entrySet()) {
                    answer(g, e.getKey(), e.getValue());
                }
                g.writeEndObject();
                answer(g, "qemu", r.qemu());
                answer(g, "vcap", r.vcap());
                g.writeStringField("tail", r.tail());
                g.writeStringField("tailDetail", r.tailDetail());
                g.writeStringField("comparison", r.comparison());
                if (r.physicalPasid() >= 0) {
                    g.writeNumberField("physicalPasid", r.physicalPasid());
                } else {
                    g.writeNullField("physicalPasid");
                }
            }
            g.writeArrayFieldStart("nonZeroGaps");
            for (ByteRange b : r.nonZeroGaps()) {
                g.writeStartObject();
                g.writeNumberField("start", b.start());
                g.writeNumberField("end", b.end());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }

        @Override
        public void flush() throws IOException {
            g.flush();
        }

        @Override
        public void totals(SurveyTotals t, List<DumpFormatException> errors) throws IOException {
            g.writeEndArray();
            g.writeRaw('\n');
            g.writeObjectFieldStart("totals");
            g.writeNumberField("files", t.files);
            g.writeNumberField("devices", t.devices);
            g.writeNumberField("surveyed", t.surveyed);
            map(g, "skipped", t.skipped);
            g.writeNumberField("withPhysicalPasid", t.withPhysicalPasid);
            g.writeNumberField("withNonZeroGaps", t.withNonZeroGaps);
            g.writeNumberField("nonZeroGapRuns", t.nonZeroGapRuns);
            g.writeObjectFieldStart("policies");
            for (String c : SurveyTotals.COLUMNS) {
                g.writeObjectFieldStart(c);
                for (String o : List.of("placed", "declined", "refused", "withheld")) {
                    g.writeNumberField(o, t.outcome(c, o));
                }
                map(g, "reasons", t.reasons.get(c));
                g.writeEndObject();
            }
            g.writeEndObject();
            map(g, "tail", t.tail);
            map(g, "comparison", t.comparison);
            map(g, "vcapPolicy", t.vcapPolicy);
            g.writeNumberField("vcapAtTail", t.vcapAtTail);
            g.writeObjectFieldStart("vcapOffsets");
            for (var e : t.vcapOffsets.entrySet()) {
                g.writeNumberField(String.format("0x%03x", e.getKey()), e.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
            DeviceJson.errors(g, errors);
            g.writeEndObject();
            g.writeRaw('\n');
            g.flush();
        }
    }

    private static void answer(JsonGenerator g, String field, SurveyRow.Answer a) throws IOException {
        g.writeObjectFieldStart(field);
        g.writeStringField("outcome", a.outcome());
        if (a.placed()) {
            g.writeNumberField("offset", a.offset());
        } else {
            g.writeNullField("offset");
        }
        g.writeStringField("policy", a.policy());
        g.writeStringField("reason", a.reason());
        g.writeEndObject();
    }

    private static void map(JsonGenerator g, String field, Map<String, Integer> m) throws IOException {
        g.writeObjectFieldStart(field);
        for (var e : m.entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }
}
