package dev.vcap.cli;

import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.capability.Finding;
import dev.vcap.vmm.placement.Decision;
import dev.vcap.vmm.placement.Outcome;
import dev.vcap.vmm.placement.PlacementFinding;
import dev.vcap.vmm.placement.PolicyResult;
import dev.vcap.vmm.placement.Quirk;
import dev.vcap.vmm.placement.Rejection;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The human form of a device plan: the virtual layout, then the decision record. */
final class PlanText {

    private static final Pattern SCORE_LOST = Pattern.compile("^score (-?\\d+) below the best, (-?\\d+)$");

    private PlanText() {
    }

    static void device(PrintWriter out, DevicePlan p) {
        out.println(DeviceTitle.of(p.device()));
        body(out, p);
    }

    /** Everything {@link #device} prints after the title: what the bytes alone decide. */
    static String body(DevicePlan p) {
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text);
        body(out, p);
        out.flush();
        return text.toString();
    }

    private static void body(PrintWriter out, DevicePlan p) {
        if (p.skipped() != null) {
            out.println("  nothing placed: " + p.skipped());
        }
        List<Finding> findings = p.physical().chain().findings();
        if (!findings.isEmpty()) {
            out.println("  chain findings (the dump's, as vcap inspect reports them):");
            findings.forEach(f -> out.println("    " + f));
        }
        if (p.vcs() != null) {
            layout(out, p);
        }
        if (!p.quirks().isEmpty()) {
            out.println("  matching quirks:");
            for (Quirk q : p.quirks()) {
                out.println("    " + quirk(q));
            }
        }
        if (!p.actions().isEmpty()) {
            out.println("  actions:");
            p.actions().forEach(a -> out.println("    " + a));
        }
        if (p.refusal() != null) {
            out.println("  REFUSED: " + p.refusal());
        }
        if (p.plan() != null) {
            out.println("  placements:");
            for (Decision dec : p.plan().decisions()) {
                decision(out, dec, p.registers().notes().get(dec.capability()));
            }
        }
        out.println();
    }

    static String quirk(Quirk q) {
        List<String> parts = new ArrayList<>();
        q.forbidden().forEach(f -> parts.add("forbids " + f.range() + " (" + f.reason() + ")"));
        q.preferred().forEach(pr -> parts.add(String.format("prefers 0x%03x for %s", pr.offset(), pr.capability())));
        return q.id() + ": " + String.join(", ", parts) + " [" + q.origin() + "]";
    }

    private static void layout(PrintWriter out, DevicePlan p) {
        List<Capability> caps = p.guestCapabilities();
        out.println("  guest-visible capabilities (vfio-pci view, default hiding policy"
                + (p.plan() != null ? ", placement):" : "):"));
        if (caps.isEmpty()) {
            out.println("    none");
        } else {
            out.println("    space     offset  id      ver  length  origin       name");
            for (Capability c : caps) {
                out.printf("    %-8s  0x%03x   %-6s  %-3s  %-6s  %-11s  %s%n", c.space().label(), c.offset(),
                        String.format(c.space() == CapabilitySpace.STANDARD ? "0x%02x" : "0x%04x", c.id()),
                        c.hasVersion() ? "v" + c.version() : "-", c.length() + (c.lengthKnown() ? "" : "?"),
                        p.originOf(c).label(), c.name());
            }
        }
        List<DevicePlan.Hidden> hidden = p.hidden();
        if (!hidden.isEmpty()) {
            out.println("  hidden from the guest:");
            for (DevicePlan.Hidden h : hidden) {
                out.printf("    %-8s  0x%03x   %-6s  %-4s  %s: %s (%s)%n", h.space().label(), h.offset(),
                        String.format(h.space() == CapabilitySpace.STANDARD ? "0x%02x" : "0x%04x", h.id()), "by " + h.by(),
                        h.name(), h.reason(), h.length() + " bytes");
            }
        }
    }

    private static void decision(PrintWriter out, Decision d, String registers) {
        String where = d.offset().isPresent() ? String.format("0x%03x", d.offset().getAsInt())
                : d.refused() ? "REFUSED" : "not exposed";
        out.printf("    %-5s  %-11s  by %s: %s%n", d.capability(), where, d.policy(), d.reason());
        if (registers != null && d.placed()) {
            out.printf("           registers: %s%n", registers);
        }
        d.findings().forEach(f -> out.printf("           %s%n", f));
        for (PolicyResult r : d.trail()) {
            out.printf("           %-15s  %-8s  %s%n", r.policy(), outcome(r.outcome()), r.outcome().reason());
        }
        List<String> rejected = rejections(d.rejected());
        if (!rejected.isEmpty()) {
            long candidates = d.rejected().stream().filter(Rejection::hasOffset)
                    .mapToLong(r -> (r.last() - r.first()) / 4 + 1).sum();
            out.printf("           rejected (%d candidate offsets; --json lists every run):%n", candidates);
            rejected.forEach(r -> out.println("             " + r));
        }
    }

    static String outcome(Outcome o) {
        return switch (o) {
            case Outcome.Placed p -> String.format("0x%03x", p.offset());
            case Outcome.Declined x -> "declined";
            case Outcome.Refused x -> "REFUSED";
            case Outcome.Withheld x -> "withheld";
        };
    }

    /**
     * Rejected runs for people: every run turned down for a reason, and the runs that merely scored
     * below the winner folded into one line per policy.
     */
    static List<String> rejections(List<Rejection> rejected) {
        List<String> out = new ArrayList<>();
        Map<String, int[]> lost = new LinkedHashMap<>(); // policy -> {candidates, min, max}
        for (Rejection r : rejected) {
            Matcher m = SCORE_LOST.matcher(r.reason());
            if (m.matches() && r.hasOffset()) {
                int score = Integer.parseInt(m.group(1));
                int[] s = lost.computeIfAbsent(r.policy(), k -> new int[] {0, Integer.MAX_VALUE, Integer.MIN_VALUE});
                s[0] += (r.last() - r.first()) / 4 + 1;
                s[1] = Math.min(s[1], score);
                s[2] = Math.max(s[2], score);
                continue;
            }
            out.add(r.toString());
        }
        lost.forEach((policy, s) -> out.add(String.format("%s: %d free, zero-reading offsets scored lower (%s)", policy,
                s[0], s[1] == s[2] ? "score " + s[1] : "scores " + s[1] + ".." + s[2])));
        return out;
    }

    /** One-line summary of a plan, for stderr on refusal. */
    static String refusals(DevicePlan p) {
        if (p.refusal() != null) {
            return p.device().address() + ": " + p.refusal();
        }
        return p.plan().decisions().stream().filter(Decision::unusable)
                .map(d -> p.device().address() + ": " + d.capability() + (d.refused() ? " refused by " + d.policy() + ": "
                        + d.reason() : " by " + d.policy() + ": " + d.findings().stream().filter(PlacementFinding::isError)
                        .map(PlacementFinding::message).collect(Collectors.joining("; "))))
                .collect(Collectors.joining("\n"));
    }
}
