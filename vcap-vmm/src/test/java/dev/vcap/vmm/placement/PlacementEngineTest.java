package dev.vcap.vmm.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vcap.host.InMemoryConfigRegion;
import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.capability.Finding;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import dev.vcap.pci.occupancy.ByteRange;
import dev.vcap.vmm.config.CapabilityDefinition;
import dev.vcap.vmm.config.VirtualConfigSpace;
import dev.vcap.vmm.synth.PasidSupport;
import dev.vcap.vmm.synth.Synthesizers;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The policy chain, one behaviour per test. */
class PlacementEngineTest {

    static final PlacementOptions OPTIONS = new PlacementOptions(Map.of(), null, List.of(), QuirkTable.empty(), null, true,
            PlacementOptions.Compat.VCAP);

    static ConfigSpaceBuilder device() {
        return ConfigSpaceBuilder.endpoint(0x8086, 0x0b25).pcie(0x40, DeviceTraits.PCIE_ENDPOINT)
                .extended(0x100, ExtendedCapability.AER, 2)
                .extended(0x150, ExtendedCapability.LTR, 1);
    }

    static Map<SyntheticCapability, CapabilityDefinition> all() {
        Map<SyntheticCapability, CapabilityDefinition> m = new LinkedHashMap<>();
        m.put(SyntheticCapability.PASID, Synthesizers.pasid(new PasidSupport(20, true, true)));
        m.put(SyntheticCapability.PRI, Synthesizers.pri(512, false));
        m.put(SyntheticCapability.ATS, Synthesizers.ats(0, true, false));
        return m;
    }

    static Map<SyntheticCapability, CapabilityDefinition> pasid() {
        return Map.of(SyntheticCapability.PASID, Synthesizers.pasid(new PasidSupport(20, true, true)));
    }

    static PlacementPlan place(ConfigSpace cs, Map<SyntheticCapability, CapabilityDefinition> requests,
            PlacementOptions options) {
        return PlacementEngine.place(VirtualConfigSpace.over(new InMemoryConfigRegion(cs)), requests, options);
    }

    static int offset(PlacementPlan plan, SyntheticCapability c) {
        return plan.decision(c).orElseThrow().offset().orElseThrow();
    }

    @Test
    void gapSearchPrefersTheTailOnACleanDevice() {
        PlacementPlan plan = place(device().build(), pasid(), OPTIONS);
        Decision d = plan.decision(SyntheticCapability.PASID).orElseThrow();
        assertThat(d.offset()).hasValue(0xFF8);
        assertThat(d.policy()).isEqualTo("gap-search");
        assertThat(d.reason()).contains("tail +200").contains("all bytes read zero");
        assertThat(d.trail()).extracting(PolicyResult::policy).containsExactly("explicit-offset", "layout-file",
                "free-ranges", "quirk-table", "vf-mirror", "dvsec-hint", "gap-search");
    }

    @Test
    void askEachAsksEveryPolicyOnItsOwnAndChangesNothing() {
        ConfigSpace pf = device().extended(0x230, ExtendedCapability.PASID, 1).build();
        VirtualConfigSpace vcs = VirtualConfigSpace.over(new InMemoryConfigRegion(device().build()));
        ConfigSpace before = vcs.guestImage();
        List<PolicyResult> results = PlacementEngine.askEach(vcs, SyntheticCapability.PASID,
                OPTIONS.withPf(pf).withExplicit(Map.of(SyntheticCapability.PASID, 0x400)));
        assertThat(results).extracting(PolicyResult::policy).containsExactly("explicit-offset", "layout-file",
                "free-ranges", "quirk-table", "vf-mirror", "dvsec-hint", "gap-search");
        assertThat(results.get(0).outcome()).isEqualTo(new Outcome.Placed(0x400, "the offset given for PASID"));
        assertThat(results.get(4).outcome()).isInstanceOfSatisfying(Outcome.Placed.class,
                p -> assertThat(p.offset()).isEqualTo(0x230));
        assertThat(results.get(6).outcome()).isInstanceOfSatisfying(Outcome.Placed.class,
                p -> assertThat(p.offset()).isEqualTo(0xFF8));
        assertThat(vcs.guestImage()).isEqualTo(before);
        assertThat(vcs.layout().extended()).hasSize(2);
    }

    @Test
    void gapSearchAvoidsBytesThatReadNonZero() {
        ConfigSpace cs = device().with((c, at) -> c.setU8(0xFF9, 0x10)).build();
        Decision d = place(cs, pasid(), OPTIONS).decision(SyntheticCapability.PASID).orElseThrow();
        assertThat(d.offset().getAsInt()).isNotEqualTo(0xFF8).isLessThan(0xFF8 - 32);
        assertThat(d.rejected()).anySatisfy(r -> {
            assertThat(r.first()).isLessThanOrEqualTo(0xFF8);
            assertThat(r.last()).isGreaterThanOrEqualTo(0xFF8);
            assertThat(r.reason()).isEqualTo("bytes read non-zero (possible hidden registers)");
        });
    }

    /**
     * Issue 12's item 18: a register of unknown purpose at 0xff0 with 0xff8 free. The old score
     * (tail +200, minus 25 per non-zero neighbour) put PASID flush against it at 0xff8 while
     * kilobytes of zero space were free; clearance now dominates the score.
     */
    @Test
    void gapSearchKeepsClearOfNonZeroBytesOfUnknownPurpose() {
        ConfigSpace cs = device().with((c, at) -> c.setU32(0xFF0, 0x0000_0C01)).build();
        Decision d = place(cs, pasid(), OPTIONS).decision(SyntheticCapability.PASID).orElseThrow();
        int at = d.offset().getAsInt();
        assertThat(at + 8 + PlacementPolicy.GapSearch.CLEARANCE_CAP).as("256 bytes clear of 0xff0")
                .isLessThanOrEqualTo(0xFF0);
        assertThat(at).isEqualTo(0xEE8); // the highest offset with full clearance
        assertThat(d.reason()).isEqualTo("highest-scoring gap (score 1188: at least 256 bytes clear of the nearest"
                + " byte of unknown purpose +1024, after the last capability (0x158) +164, all bytes read zero)");
        assertThat(d.rejected()).contains(new Rejection("gap-search", 0xFF8, 0xFF8, "score 388 below the best, 1188"));
    }

    @Test
    void theScoreIsExplainedTermByTerm() {
        Decision d = place(device().build(), pasid(), OPTIONS).decision(SyntheticCapability.PASID).orElseThrow();
        assertThat(d.reason()).isEqualTo("highest-scoring gap (score 1388: no byte of unknown purpose in"
                + " extended space +1024, tail +200, after the last capability (0x158) +164, all bytes read zero)");
    }

    /** Bytes of known structures are not of unknown purpose: PRI and ATS sit flush against the PASID placed first. */
    @Test
    void synthesizedCapabilitiesMaySitFlushAgainstKnownStructures() {
        PlacementPlan plan = place(device().build(), all(), OPTIONS);
        assertThat(offset(plan, SyntheticCapability.PASID)).isEqualTo(0xFF8);
        assertThat(offset(plan, SyntheticCapability.PRI)).isEqualTo(0xFE8);
        assertThat(offset(plan, SyntheticCapability.ATS)).isEqualTo(0xFE0);
    }

    @Test
    void clearanceIsTheZeroBytesBetweenTheStructureAndTheNearestUnknownByte() {
        PlacementPolicy.GapSearch.Scoring s = new PlacementPolicy.GapSearch.Scoring(0x1000, 0x200,
                new int[] {0x300, 0x3FF});
        assertThat(s.clearance(0x308, 8)).isEqualTo(7); // 0x301..0x307
        assertThat(s.clearance(0x2F8, 8)).isZero(); // flush: 0x300 right after it
        assertThat(s.clearance(0x380, 8)).isEqualTo(0x3FF - 0x388);
        assertThat(s.clearance(0x800, 8)).isEqualTo(PlacementPolicy.GapSearch.CLEARANCE_CAP);
        assertThat(new PlacementPolicy.GapSearch.Scoring(0x1000, 0x200, new int[0]).clearance(0x104, 8))
                .isEqualTo(PlacementPolicy.GapSearch.CLEARANCE_CAP);
    }

    @Test
    void candidatesThatOverlapOneCapabilityAreOneRun() {
        Decision d = place(device().build(), pasid(), OPTIONS).decision(SyntheticCapability.PASID).orElseThrow();
        assertThat(d.rejected()).contains(
                new Rejection("gap-search", 0x100, 0x128,
                        "8 bytes would overlap extended Advanced Error Reporting@0x100 (44 bytes, physical)"),
                new Rejection("gap-search", 0x14c, 0x154,
                        "8 bytes would overlap extended Latency Tolerance Reporting@0x150 (8 bytes, physical)"));
    }

    @Test
    void everyCandidateIsAccountedFor() {
        Decision d = place(device().build(), pasid(), OPTIONS).decision(SyntheticCapability.PASID).orElseThrow();
        long candidates = d.rejected().stream().filter(r -> r.policy().equals("gap-search") && r.hasOffset())
                .mapToLong(r -> (r.last() - r.first()) / 4 + 1).sum();
        assertThat(candidates + 1).isEqualTo((0x1000 - 8 - 0x100) / 4 + 1);
    }

    @Test
    void pasidPriAndAtsPlacedTogetherNeverCollide() {
        PlacementPlan plan = place(device().build(), all(), OPTIONS);
        List<ByteRange> ranges = plan.decisions().stream()
                .map(d -> ByteRange.ofLength(d.offset().orElseThrow(), d.capability().length())).toList();
        for (int i = 0; i < ranges.size(); i++) {
            for (int j = i + 1; j < ranges.size(); j++) {
                assertThat(ranges.get(i).overlaps(ranges.get(j))).isFalse();
            }
        }
        CapabilityChain guest = CapabilityChain.walk(plan.vcs().guestImage());
        assertThat(guest.findings()).extracting(Finding::kind).doesNotContain(Finding.Kind.OVERLAP, Finding.Kind.LOOP);
        assertThat(guest.extended()).extracting(Capability::id).contains(0x1B, 0x13, 0x0F);
    }

    @Test
    void anExplicitOffsetIsUsed() {
        PlacementPlan plan = place(device().build(), pasid(), OPTIONS.withExplicit(Map.of(SyntheticCapability.PASID,
                0x400)));
        assertThat(offset(plan, SyntheticCapability.PASID)).isEqualTo(0x400);
        assertThat(plan.decision(SyntheticCapability.PASID).orElseThrow().policy()).isEqualTo("explicit-offset");
    }

    @Test
    void aCollidingExplicitOffsetIsRefusedNotReplaced() {
        PlacementPlan plan = place(device().build(), pasid(), OPTIONS.withExplicit(Map.of(SyntheticCapability.PASID,
                0x120)));
        Decision d = plan.decision(SyntheticCapability.PASID).orElseThrow();
        assertThat(plan.refused()).isTrue();
        assertThat(d.offset()).isEmpty();
        assertThat(d.reason()).isEqualTo("the offset given for PASID, 0x120, cannot be used: 8 bytes at 0x120 would"
                + " overlap extended Advanced Error Reporting@0x100 (44 bytes, physical)");
    }

    /**
     * Issue 12's item 12: an explicit offset over bytes that read non-zero was placed without a word,
     * and admission then refused the contract on the very same device. Every policy checks what
     * admission checks.
     */
    @Test
    void anExplicitOffsetOverNonZeroBytesIsRefusedAsAdmissionWouldRefuseIt() {
        ConfigSpace cs = device().with((c, at) -> c.setU32(0x500, 1)).build();
        PlacementPlan plan = place(cs, pasid(), OPTIONS.withExplicit(Map.of(SyntheticCapability.PASID, 0x500)));
        assertThat(plan.refused()).isTrue();
        assertThat(plan.decision(SyntheticCapability.PASID).orElseThrow().reason()).isEqualTo("the offset given for"
                + " PASID, 0x500, cannot be used: bytes read non-zero (possible hidden registers)");
        PlacementPlan free = place(cs, pasid(), OPTIONS.withFree(ByteRanges.parse("0x4fc-0x50f")));
        assertThat(offset(free, SyntheticCapability.PASID)).as("first fit skips the register").isEqualTo(0x504);
    }

    @Test
    void anExplicitOffsetInsideAForbiddenRangeIsRefused() {
        QuirkTable quirks = QuirkTable.empty().with(new StringReader("""
                version: 1
                quirks:
                  - id: test-hidden
                    match: {vendor: 0x8086, device: 0x0b25}
                    forbid:
                      - {range: 0x800-0x8ff, reason: TEST_REG}
                    source: a test
                """), "test.yaml");
        PlacementPlan plan = place(device().build(), pasid(), OPTIONS.withQuirks(quirks)
                .withExplicit(Map.of(SyntheticCapability.PASID, 0x810)));
        assertThat(plan.refused()).isTrue();
        assertThat(plan.decision(SyntheticCapability.PASID).orElseThrow().reason())
                .endsWith("covers 0x800-0x8ff, forbidden by quirk 'test-hidden' (TEST_REG)");
    }

    @Test
    void forbiddenRangesAreAvoidedByTheSearchAndKeptClearOf() {
        QuirkTable quirks = QuirkTable.empty().with(new StringReader("""
                version: 1
                quirks:
                  - id: tail-registers
                    match: {vendor: 0x8086}
                    forbid: [{range: 0xf00-0xfff, reason: TAIL_REGS}]
                    source: a test
                """), "test.yaml");
        int at = offset(place(device().build(), pasid(), OPTIONS.withQuirks(quirks)), SyntheticCapability.PASID);
        assertThat(at + 8 + PlacementPolicy.GapSearch.CLEARANCE_CAP).isLessThanOrEqualTo(0xF00);
    }

    @Test
    void aQuirkPreferredOffsetWins() {
        QuirkTable quirks = QuirkTable.empty().with(new StringReader("""
                version: 1
                quirks:
                  - id: prefer-d00
                    match: {vendor: 0x8086, class: 0x000000, classMask: 0x000000}
                    prefer: [{capability: PASID, offset: 0xd00, reason: vendor guidance}]
                    source: a test
                """), "test.yaml");
        PlacementPlan plan = place(device().build(), pasid(), OPTIONS.withQuirks(quirks));
        assertThat(offset(plan, SyntheticCapability.PASID)).isEqualTo(0xD00);
        assertThat(plan.decision(SyntheticCapability.PASID).orElseThrow().reason())
                .isEqualTo("preferred by quirk 'prefer-d00' (vendor guidance)");
    }

    @Test
    void declaredFreeRangesComeBeforeQuirksAndTheSearch() {
        PlacementPlan plan = place(device().build(), all(), OPTIONS.withFree(ByteRanges.parse("0xd00-0xd0f,0xf00-0xfff")));
        assertThat(offset(plan, SyntheticCapability.PASID)).isEqualTo(0xD00);
        assertThat(offset(plan, SyntheticCapability.PRI)).isEqualTo(0xF00); // 16 bytes: 0xd08 has only 8 left
        assertThat(offset(plan, SyntheticCapability.ATS)).isEqualTo(0xD08);
        assertThat(plan.decision(SyntheticCapability.PRI).orElseThrow().rejected()).anySatisfy(r -> assertThat(r.reason())
                .contains("would overlap extended Process Address Space ID (PASID)@0xd00"));
    }

    @Test
    void fullFreeRangesDeclineAndTheSearchTakesOver() {
        PlacementPlan plan = place(device().build(), pasid(), OPTIONS.withFree(ByteRanges.parse("0x100-0x12b")));
        Decision d = plan.decision(SyntheticCapability.PASID).orElseThrow();
        assertThat(d.policy()).isEqualTo("gap-search");
        assertThat(d.trail().get(2).outcome()).isInstanceOf(Outcome.Declined.class);
    }

    @Test
    void aVfMirrorsThePfsPhysicalOffset() {
        ConfigSpace pf = device().extended(0x230, ExtendedCapability.PASID, 1).build();
        ConfigSpace vf = device().build();
        PlacementPlan plan = place(vf, pasid(), OPTIONS.withPf(pf));
        assertThat(offset(plan, SyntheticCapability.PASID)).isEqualTo(0x230);
        assertThat(plan.decision(SyntheticCapability.PASID).orElseThrow().policy()).isEqualTo("vf-mirror");
    }

    @Test
    void aVfMirrorThatCollidesDeclines() {
        ConfigSpace pf = device().extended(0x200, ExtendedCapability.PASID, 1).build();
        ConfigSpace vf = device().extended(0x200, ExtendedCapability.ARI, 1).build();
        Decision d = place(vf, pasid(), OPTIONS.withPf(pf)).decision(SyntheticCapability.PASID).orElseThrow();
        assertThat(d.policy()).isEqualTo("gap-search");
        assertThat(d.trail().get(4).outcome().reason()).isEqualTo("the PF's offset 0x200 is not free on the VF");
    }

    @Test
    void theFreeSpaceDvsecGuidesPlacement() {
        ConfigSpace cs = device().extended(0x160, ExtendedCapability.DVSEC, 1,
                (c, at) -> FreeSpaceDvsec.write(c, at, List.of(ByteRange.ofLength(0xA00, 0x40)))).build();
        PlacementPlan plan = place(cs, pasid(), OPTIONS);
        assertThat(offset(plan, SyntheticCapability.PASID)).isEqualTo(0xA00);
        assertThat(plan.decision(SyntheticCapability.PASID).orElseThrow().policy()).isEqualTo("dvsec-hint");
    }

    @Test
    void withNothingFreeTheCapabilityIsNotExposedAndTheUserIsToldWhy() {
        Decision d = place(device().build(), pasid(), OPTIONS.withGapSearch(false)).decision(SyntheticCapability.PASID)
                .orElseThrow();
        assertThat(d.placed()).isFalse();
        assertThat(d.refused()).isFalse();
        assertThat(d.policy()).isEqualTo("not-exposed");
        assertThat(d.reason()).startsWith("PASID is not exposed: explicit-offset: no offset given for PASID;")
                .endsWith("gap-search: gap search turned off");
    }

    @Test
    void aLayoutFilePlacesWithholdsAndChecksTheDevice() {
        LayoutFile layout = LayoutFile.parse(new StringReader("""
                version: 1
                name: dsa-model
                match: {vendor: 0x8086, device: 0x0b25}
                capabilities:
                  - {capability: EXP, offset: 0x40, disposition: passthrough}
                  - {capability: AER, offset: 0x100, disposition: passthrough}
                  - {capability: LTR, offset: 0x150, disposition: hide}
                  - {capability: PASID, offset: 0x300, disposition: synthesize}
                """), "dsa.yaml");
        PlacementPlan plan = place(device().build(), all(), OPTIONS.withLayout(layout));
        assertThat(offset(plan, SyntheticCapability.PASID)).isEqualTo(0x300);
        assertThat(plan.decision(SyntheticCapability.PRI).orElseThrow()).satisfies(d -> {
            assertThat(d.placed()).isFalse();
            assertThat(d.reason()).isEqualTo("layout 'dsa-model' does not expose PRI");
        });
        assertThat(plan.actions()).anySatisfy(a -> assertThat(a).startsWith("hid extended Latency Tolerance Reporting@0x150"));
        ConfigSpace other = device().extended(0x200, ExtendedCapability.ARI, 1).build();
        assertThatThrownBy(() -> place(other, all(), OPTIONS.withLayout(layout)))
                .isInstanceOf(LayoutMismatchException.class)
                .hasMessageContaining("does not describe the device's extended Alternative Routing-ID Interpretation");
    }

    @Test
    void theDevicesOwnCapabilityIsReplacedByTheSynthesizedOne() {
        ConfigSpace cs = device().extended(0x300, ExtendedCapability.ATS, 1).build();
        PlacementPlan plan = place(cs, Map.of(SyntheticCapability.ATS, Synthesizers.ats(4, false, false)), OPTIONS);
        assertThat(plan.actions()).singleElement().asString().startsWith("dropped the device's own extended Address"
                + " Translation Service (ATS)@0x300");
        assertThat(CapabilityChain.walk(plan.vcs().guestImage()).extended()).filteredOn(c -> c.id() == 0x0F).hasSize(1);
    }

    static final PlacementOptions QEMU = OPTIONS.withCompat(PlacementOptions.Compat.QEMU);

    static Decision qemu(ConfigSpace cs, Integer offset) {
        return place(cs, pasid(), offset == null ? QEMU : QEMU.withExplicit(Map.of(SyntheticCapability.PASID, offset)))
                .decision(SyntheticCapability.PASID).orElseThrow();
    }

    @Test
    void qemuCompatUses0xff8AndExposesOnlyPasid() {
        PlacementPlan clean = place(device().build(), all(), QEMU);
        assertThat(offset(clean, SyntheticCapability.PASID)).isEqualTo(0xFF8);
        assertThat(clean.decision(SyntheticCapability.PASID).orElseThrow().findings()).isEmpty();
        assertThat(clean.decision(SyntheticCapability.PRI).orElseThrow().reason())
                .isEqualTo("QEMU 11.0 synthesizes only PASID; it does not expose PRI");
        assertThat(clean.unusable()).isFalse();

        Decision hidden = qemu(device().with((c, at) -> c.setU8(0xFF9, 0x10)).build(), null);
        assertThat(hidden.offset()).hasValue(0xFF8);
        assertThat(hidden.findings()).containsExactly(PlacementFinding.warning("1 of the 8 bytes read non-zero (possible"
                + " hidden registers) and QEMU does not check"));
        assertThat(hidden.unusable()).as("a warning, not an error").isFalse();
    }

    /**
     * QEMU 11.0's vfio-pci synthesizes PASID only and replaces nothing: the device's own PRI and ATS
     * pass through as vfio shows them (pcie_pri_init() has no caller in QEMU's vfio path), where vcap
     * replaces them with synthesized ones.
     */
    @Test
    void qemuLeavesTheDevicesOwnPriAndAtsToVfio() {
        ConfigSpace own = device().extended(0x300, ExtendedCapability.PRI, 1, (c, at) -> c.setU32(at + 8, 64))
                .extended(0x320, ExtendedCapability.ATS, 1).build();
        PlacementPlan plan = place(own, all(), QEMU);
        assertThat(plan.actions()).isEmpty();
        assertThat(plan.decision(SyntheticCapability.PRI).orElseThrow().reason()).isEqualTo("QEMU 11.0 synthesizes only"
                + " PASID; it does not expose PRI of its own: the device's PRI@0x300 passes through as vfio-pci shows it");
        CapabilityChain guest = CapabilityChain.walk(plan.vcs().guestImage());
        assertThat(guest.find(ExtendedCapability.PRI).orElseThrow().offset()).isEqualTo(0x300);
        assertThat(plan.vcs().guestImage().u32(0x308)).isEqualTo(64);
        assertThat(guest.find(ExtendedCapability.ATS).orElseThrow().offset()).isEqualTo(0x320);
        assertThat(place(own, all(), OPTIONS).actions()).hasSize(2); // vcap drops and replaces both
    }

    /** QEMU's x-vpasid-cap-offset property defaults to 0, and 0 means 0xff8 (hw/vfio/pci.c). */
    @Test
    void qemuReadsOffset0AsItsDefault() {
        Decision d = qemu(device().build(), 0);
        assertThat(d.offset()).hasValue(0xFF8);
        assertThat(d.reason()).startsWith("x-vpasid-cap-offset=0, which QEMU reads as its default 0xff8");
    }

    /**
     * pcie_insert_capability() refuses only an offset inside a capability header's first dword, so
     * an offset over a capability's body is accepted: vcap shows the layout QEMU gives the guest —
     * PASID's registers where PRI's were — and an error finding naming what is damaged.
     */
    @Test
    void qemuLaysVpasidOverACapabilityBodyAndTheFindingNamesIt() {
        ConfigSpace tail = device().extended(0xFF0, ExtendedCapability.PRI, 1).build();
        PlacementPlan plan = place(tail, pasid(), QEMU);
        Decision d = plan.decision(SyntheticCapability.PASID).orElseThrow();
        assertThat(d.offset()).hasValue(0xFF8);
        assertThat(d.refused()).isFalse();
        assertThat(plan.unusable()).isTrue();
        assertThat(d.findings()).singleElement().satisfies(f -> {
            assertThat(f.isError()).isTrue();
            assertThat(f.message()).isEqualTo("vPASID at 0xff8-0xfff is laid over extended Page Request Interface"
                    + " (PRI)@0xff0 (16 bytes, physical): bytes 0xff8-0xfff: the guest reads PASID registers there"
                    + " instead (pcie_insert_capability() checks only the headers of the capabilities before it)");
        });
        ConfigSpace guest = plan.vcs().guestImage();
        assertThat(guest.u32(0xFF8)).isEqualTo(ExtendedCapability.header(0x1B, 1, 0));
        assertThat(guest.u32(0xFF0) >>> 20).as("PRI links to the vPASID laid over it").isEqualTo(0xFF8);
        assertThat(guest.u16(0xFFC)).isEqualTo(20 << 8 | 1 << 1 | 1 << 2);
    }

    /** Over the next capability's header the guest's chain breaks: QEMU's PASID registers are read as that header. */
    @Test
    void qemuOverTheNextCapabilitysHeaderBreaksTheGuestsChain() {
        Decision d = qemu(device().build(), 0x14C);
        assertThat(d.offset()).hasValue(0x14C);
        assertThat(d.findings()).singleElement().satisfies(f -> assertThat(f.message())
                .contains("extended Latency Tolerance Reporting@0x150 (8 bytes, physical): bytes 0x150-0x153, its header"
                        + " included"));
        PlacementPlan plan = place(device().build(), pasid(), QEMU.withExplicit(Map.of(SyntheticCapability.PASID, 0x14C)));
        CapabilityChain guest = CapabilityChain.walk(plan.vcs().guestImage());
        assertThat(guest.extended()).extracting(Capability::offset).containsExactly(0x100, 0x14C, 0x150);
        assertThat(guest.extended().get(2).id()).as("the PASID Capability register read as an ID").isEqualTo(0x1406);
    }

    /** An offset pcie_insert_capability() refuses: QEMU reports it and the VM starts without PASID. */
    @Test
    void anOffsetQemuRefusesLeavesTheVmWithoutPasid() {
        Decision header = qemu(device().build(), 0x150);
        assertThat(header.placed()).isFalse();
        assertThat(header.reason()).isEqualTo("pcie_insert_capability() refuses x-vpasid-cap-offset=0x150: 0x150 is"
                + " inside the header of extended Latency Tolerance Reporting@0x150 (8 bytes, physical); QEMU 11.0"
                + " reports \"vfio: Placing PASID capability at offset 0x150 failed\" and the VM starts without PASID");
        assertThat(header.findings()).singleElement().satisfies(f -> assertThat(f.isError()).isTrue());
        assertThat(header.unusable()).isTrue();
        assertThat(qemu(device().build(), 0xFF6).reason()).startsWith("pcie_insert_capability() refuses"
                + " x-vpasid-cap-offset=0xff6: 0xff6 is not 4-byte aligned;");
        assertThat(qemu(device().build(), 0xFFC).reason()).contains("0xffc plus 8 exceeds the config space size");
        assertThat(qemu(device().build(), 0x80).reason()).contains("0x80 is outside extended config space");
    }

    /** vfio_add_ext_cap() returns early when vfio shows no extended capability: no vPASID, where vcap places one. */
    @Test
    void qemuSynthesizesNothingWhenTheExtendedListIsEmpty() {
        ConfigSpace none = ConfigSpaceBuilder.endpoint(0x8086, 0x0b25).pcie(0x40, DeviceTraits.PCIE_ENDPOINT).build();
        assertThat(none.length()).isEqualTo(0x1000);
        Decision d = qemu(none, null);
        assertThat(d.placed()).isFalse();
        assertThat(d.reason()).startsWith("vfio-pci shows no extended capability (the dword at 0x100 reads 0)");
        assertThat(d.unusable()).isFalse();
        assertThat(offset(place(none, pasid(), OPTIONS), SyntheticCapability.PASID)).isEqualTo(0xFF8);
    }

    /** A PASID capability vfio shows is passed through by QEMU, which then synthesizes none. */
    @Test
    void qemuKeepsAPasidVfioShows() {
        ConfigSpace shown = device().extended(0x200, ExtendedCapability.PASID, 1).build();
        Decision d = qemu(shown, null);
        assertThat(d.placed()).isFalse();
        assertThat(d.reason()).startsWith("vfio-pci shows the device's PASID@0x200: QEMU 11.0 passes it through");
    }

    @Test
    void sameInputsGiveTheSameDecisions() {
        ConfigSpace cs = device().with((c, at) -> c.setU32(0xE00, 0xDEADBEEF)).build();
        PlacementPlan a = place(cs, all(), OPTIONS);
        PlacementPlan b = place(cs, all(), OPTIONS);
        assertThat(a.decisions()).isEqualTo(b.decisions());
        assertThat(a.vcs().guestImage()).isEqualTo(b.vcs().guestImage());
    }
}
