package dev.vcap.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The totals of a survey: how many devices, how each policy fared (placed, and declines grouped
 * by reason), the state of 0xff8, non-zero gaps, and QEMU against vcap.
 */
final class SurveyTotals {

    int files;
    int devices;
    int surveyed;
    int withPhysicalPasid;
    int withNonZeroGaps;
    int nonZeroGapRuns;
    final Map<String, Integer> skipped = new TreeMap<>();
    /** policy -> outcome -> count; outcomes placed, declined, refused, withheld. */
    final Map<String, Map<String, Integer>> outcomes = new LinkedHashMap<>();
    /** policy -> reason class -> count, for declines and refusals. */
    final Map<String, Map<String, Integer>> reasons = new LinkedHashMap<>();
    final Map<String, Integer> tail = new LinkedHashMap<>();
    final Map<String, Integer> comparison = new LinkedHashMap<>();
    /** vcap's deciding policy -> count. */
    final Map<String, Integer> vcapPolicy = new TreeMap<>();
    /** 0x100-aligned bucket of vcap's offset -> count. */
    final Map<Integer, Integer> vcapOffsets = new TreeMap<>();
    int vcapAtTail;

    /** Columns of the outcome table, in order. */
    static final List<String> COLUMNS = List.of("quirk-table", "dvsec-hint", "gap-search", "qemu-11.0", "vcap");

    SurveyTotals() {
        for (String c : COLUMNS) {
            outcomes.put(c, new LinkedHashMap<>());
            reasons.put(c, new TreeMap<>());
        }
        SurveyRow.TAIL_STATES.forEach(s -> tail.put(s, 0));
        SurveyRow.COMPARISONS.forEach(s -> comparison.put(s, 0));
    }

    void add(SurveyRow r) {
        devices++;
        if (!r.nonZeroGaps().isEmpty() && r.skipped() == null) {
            withNonZeroGaps++;
            nonZeroGapRuns += r.nonZeroGaps().size();
        }
        if (r.skipped() != null) {
            skipped.merge(classOf(r.skipped()), 1, Integer::sum);
            return;
        }
        surveyed++;
        if (r.physicalPasid() >= 0) {
            withPhysicalPasid++;
        }
        r.policies().forEach(this::count);
        count("qemu-11.0", r.qemu());
        count("vcap", r.vcap());
        tail.merge(r.tail(), 1, Integer::sum);
        comparison.merge(r.comparison(), 1, Integer::sum);
        vcapPolicy.merge(r.vcap().policy(), 1, Integer::sum);
        if (r.vcap().placed()) {
            vcapOffsets.merge(r.vcap().offset() & ~0xFF, 1, Integer::sum);
            if (r.vcap().offset() == 0xFF8) {
                vcapAtTail++;
            }
        }
    }

    private void count(String column, SurveyRow.Answer a) {
        outcomes.get(column).merge(a.outcome(), 1, Integer::sum);
        if (!a.placed()) {
            reasons.get(column).merge(classOf(a.reason()), 1, Integer::sum);
        }
    }

    int outcome(String column, String outcome) {
        return outcomes.get(column).getOrDefault(outcome, 0);
    }

    /** Reasons already classed: the devices of a class share their reasons' strings, and classing takes three regexes. */
    private final Map<String, String> classed = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > 4 * DeviceClasses.CAPACITY;
        }
    };

    private String classOf(String reason) {
        String c = classed.get(reason);
        if (c == null) {
            c = reasonClass(reason);
            classed.put(reason, c);
        }
        return c;
    }

    /** A reason with the device-specific parts taken out, so that equal reasons group. */
    static String reasonClass(String reason) {
        String r = reason;
        if (r.startsWith("PASID is not exposed: ")) {
            r = "not exposed: " + r.substring(r.lastIndexOf("; ") + 2); // the last policy asked says why
        }
        return r.replaceAll("[0-9a-f]{4}:[0-9a-f]{4} \\(subsystem [^)]*\\)", "the device")
                .replaceAll("only \\d+ bytes were captured \\([^)]*\\)", "only part of config space was captured")
                .replaceAll("\\[[^\\]]*\\]", "[...]");
    }

    static String percent(int n, int of) {
        return of == 0 ? "-" : String.format("%.1f%%", 100.0 * n / of);
    }
}
