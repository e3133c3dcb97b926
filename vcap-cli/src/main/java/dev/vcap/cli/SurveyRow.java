package dev.vcap.cli;

import dev.vcap.host.ConfigRegion;
import dev.vcap.pci.analysis.DeviceAnalysis;
import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.occupancy.ByteRange;
import dev.vcap.vmm.config.CapabilityDefinition;
import dev.vcap.vmm.config.ChainEditException;
import dev.vcap.vmm.config.HidingPolicy;
import dev.vcap.vmm.config.VirtualConfigSpace;
import dev.vcap.vmm.placement.Decision;
import dev.vcap.vmm.placement.DeviceIdentity;
import dev.vcap.vmm.placement.Outcome;
import dev.vcap.vmm.placement.PlacementEngine;
import dev.vcap.vmm.placement.PlacementOptions;
import dev.vcap.vmm.placement.PolicyResult;
import dev.vcap.vmm.placement.Quirk;
import dev.vcap.vmm.placement.SyntheticCapability;
import dev.vcap.vmm.synth.PasidSupport;
import dev.vcap.vmm.synth.Synthesizers;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One device of {@code vcap survey}: where each policy would put a synthesized PASID in the
 * guest-visible config space (vfio-pci's view, default hiding policy), what QEMU 11.0 would do,
 * what vcap's chain chooses, and the facts behind them (is 0xff8 free, do gaps hold non-zero bytes).
 *
 * @param device          the dump
 * @param skipped         why the device is not surveyed, or null
 * @param policies        policy name -> its answer, each asked on its own (gap-search, quirk-table, dvsec-hint)
 * @param qemu            QEMU 11.0's placement
 * @param vcap            vcap's chain
 * @param tail            0xff8's state: {@code free}, {@code overlap}, {@code non-zero} or {@code forbidden}
 * @param tailDetail      why 0xff8 is not free, or empty
 * @param nonZeroGaps     runs of non-zero dwords in the dump's extended-space gaps (inspect's "suspicious")
 * @param physicalPasid   the offset of the device's own PASID capability, or -1
 * @param comparison      QEMU's default against vcap's choice: {@code same}, {@code different},
 *                        {@code qemu-overlaps-capability}, {@code qemu-overlays-non-zero},
 *                        {@code qemu-overlays-forbidden}, {@code qemu-not-exposed}, {@code vcap-not-exposed}
 */
record SurveyRow(DeviceImage device, String skipped, Map<String, Answer> policies, Answer qemu, Answer vcap, String tail,
        String tailDetail, List<ByteRange> nonZeroGaps, int physicalPasid, String comparison) {

    /** The policies whose answers the survey reports, in chain order. */
    static final List<String> POLICIES = List.of("quirk-table", "dvsec-hint", "gap-search");

    static final List<String> TAIL_STATES = List.of("free", "overlap", "non-zero", "forbidden");

    static final List<String> COMPARISONS = List.of("same", "different", "qemu-overlaps-capability",
            "qemu-overlays-non-zero", "qemu-overlays-forbidden", "qemu-not-exposed", "vcap-not-exposed");

    /**
     * One policy's answer.
     *
     * @param outcome {@code placed}, {@code declined}, {@code refused} or {@code withheld}
     * @param offset  where, or -1
     * @param policy  the deciding policy (for vcap's chain) or the policy asked
     * @param reason  its reason
     */
    record Answer(String outcome, int offset, String policy, String reason) {
        boolean placed() {
            return offset >= 0;
        }

        String cell() {
            return switch (outcome) {
                case "placed" -> { // %03x by hand: one cell per policy per device
                    String hex = Integer.toHexString(offset);
                    yield "0x" + "000".substring(Math.min(3, hex.length())) + hex;
                }
                case "refused" -> "REFUSED";
                case "withheld" -> "withheld";
                default -> "-";
            };
        }
    }

    /** This row for another device of the same bytes ({@link DeviceClasses}): only the device differs. */
    SurveyRow forDevice(DeviceImage other) {
        return other == device ? this : new SurveyRow(other, skipped, policies, qemu, vcap, tail, tailDetail, nonZeroGaps,
                physicalPasid, comparison);
    }

    static SurveyRow of(DeviceImage device, PlacementOptions options) {
        DeviceAnalysis physical = DeviceAnalysis.of(device);
        ConfigSpace cs = device.config();
        int physicalPasid = physical.chain().find(ExtendedCapability.PASID).map(Capability::offset).orElse(-1);
        List<ByteRange> nonZero = physical.occupancy().nonZeroInGaps().stream()
                .filter(r -> r.start() >= ConfigSpace.CONVENTIONAL_SIZE).toList();
        String skipped = DeviceChecks.notAssignable(device);
        if (skipped == null) {
            skipped = DevicePlan.skipReason(cs, physical.chain());
        }
        // one vfio view serves the three guests built over it: placement never writes to the host
        ConfigRegion view = skipped == null ? LiveViews.of(device) : null;
        VirtualConfigSpace base = view == null ? null : guest(view);
        if (base != null && !base.hasExtendedList()) {
            skipped = "vfio-pci's view has no extended capability list";
        }
        if (skipped != null) {
            return new SurveyRow(device, skipped, Map.of(), null, null, null, "", nonZero, physicalPasid, null);
        }
        Map<String, Answer> answers = new LinkedHashMap<>();
        for (PolicyResult r : PlacementEngine.askEach(base, SyntheticCapability.PASID, options)) {
            if (POLICIES.contains(r.policy())) {
                answers.put(r.policy(), answer(r.policy(), r.outcome()));
            }
        }
        Answer qemu = decide(guest(view), options.withCompat(PlacementOptions.Compat.QEMU));
        Answer vcap = decide(guest(view), options.withCompat(PlacementOptions.Compat.VCAP));

        int tailAt = PlacementEngine.QEMU_DEFAULT_PASID_OFFSET;
        int length = SyntheticCapability.PASID.length();
        Optional<ChainEditException> overlap = base.editor().check(CapabilitySpace.EXTENDED, tailAt, length);
        int tailNonZero = 0;
        for (int b = tailAt; b < tailAt + length; b++) {
            tailNonZero += base.read(b, 1) != 0 ? 1 : 0;
        }
        Optional<String> forbidden = forbidden(options, base, ByteRange.ofLength(tailAt, length));
        String tail;
        String detail;
        if (overlap.isPresent()) {
            tail = "overlap";
            detail = overlap.get().getMessage();
        } else if (tailNonZero > 0) {
            tail = "non-zero";
            detail = String.format("%d of the 8 bytes at 0xff8 read non-zero: %s", tailNonZero,
                    java.util.HexFormat.ofDelimiter(" ").formatHex(base.guestImage().slice(tailAt, length)));
        } else if (forbidden.isPresent()) {
            tail = "forbidden";
            detail = forbidden.get();
        } else {
            tail = "free";
            detail = "";
        }
        String comparison;
        if (qemu.outcome().equals("declined")) {
            comparison = "qemu-not-exposed"; // QEMU synthesizes nothing (vfio shows no extended capability)
        } else if (overlap.isPresent()) {
            comparison = "qemu-overlaps-capability";
        } else if (tailNonZero > 0) {
            comparison = "qemu-overlays-non-zero";
        } else if (forbidden.isPresent()) {
            comparison = "qemu-overlays-forbidden";
        } else if (!vcap.placed()) {
            comparison = "vcap-not-exposed";
        } else {
            comparison = vcap.offset() == qemu.offset() ? "same" : "different";
        }
        return new SurveyRow(device, null, answers, qemu, vcap, tail, detail, nonZero, physicalPasid, comparison);
    }

    /** The guest-visible config space before placement: vfio-pci's view, then the default hiding policy. */
    static VirtualConfigSpace guest(DeviceImage device) {
        return guest(LiveViews.of(device));
    }

    private static VirtualConfigSpace guest(ConfigRegion view) {
        VirtualConfigSpace vcs = VirtualConfigSpace.over(view);
        HidingPolicy.defaults().apply(vcs);
        return vcs;
    }

    private static Answer decide(VirtualConfigSpace guest, PlacementOptions options) {
        Map<SyntheticCapability, CapabilityDefinition> request = Map.of(SyntheticCapability.PASID,
                Synthesizers.pasid(new PasidSupport(PasidSupport.MAX_WIDTH, false, false)));
        Decision d = PlacementEngine.place(guest, request, options).decision(SyntheticCapability.PASID)
                .orElseThrow();
        if (d.unusable()) { // a refusal, or QEMU's placement with an error finding: what it damages is the reason
            String why = d.refused() ? d.reason() : d.findings().stream().filter(f -> f.isError()).findFirst()
                    .orElseThrow().message();
            return new Answer("refused", -1, d.policy(), why);
        }
        return new Answer(d.placed() ? "placed" : "declined", d.offset().orElse(-1), d.policy(), d.reason());
    }

    private static Answer answer(String policy, Outcome o) {
        return switch (o) {
            case Outcome.Placed p -> new Answer("placed", p.offset(), policy, p.reason());
            case Outcome.Declined x -> new Answer("declined", -1, policy, x.reason());
            case Outcome.Refused x -> new Answer("refused", -1, policy, x.reason());
            case Outcome.Withheld x -> new Answer("withheld", -1, policy, x.reason());
        };
    }

    private static Optional<String> forbidden(PlacementOptions options, VirtualConfigSpace vcs, ByteRange range) {
        for (Quirk q : options.quirks().matching(DeviceIdentity.of(vcs))) {
            for (Quirk.Forbidden f : q.forbidden()) {
                if (f.range().overlaps(range)) {
                    return Optional.of(String.format("%s is forbidden by quirk '%s' (%s)", f.range(), q.id(), f.reason()));
                }
            }
        }
        return Optional.empty();
    }
}
