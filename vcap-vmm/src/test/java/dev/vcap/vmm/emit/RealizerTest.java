package dev.vcap.vmm.emit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.host.ConfigRegion;
import dev.vcap.host.sim.SimHost;
import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.vmm.config.CapabilityDefinition;
import dev.vcap.vmm.config.HidingPolicy;
import dev.vcap.vmm.config.VirtualConfigSpace;
import dev.vcap.vmm.placement.PlacementEngine;
import dev.vcap.vmm.placement.PlacementOptions;
import dev.vcap.vmm.placement.PlacementPlan;
import dev.vcap.vmm.placement.QuirkTable;
import dev.vcap.vmm.placement.SyntheticCapability;
import dev.vcap.vmm.synth.PasidSupport;
import dev.vcap.vmm.synth.Synthesizers;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What QEMU 11.0 can and cannot express of a plan, one case per difference. */
class RealizerTest {

    static final PciAddress ADDRESS = new PciAddress(0, 0x6a, 1, 0);
    static final PasidSupport HOST = new PasidSupport(16, true, false);
    static final PlacementOptions OPTIONS = PlacementOptions.defaults().withQuirks(QuirkTable.empty());

    /** AER at 0x100, ATS at 0x220, PASID at 0x230 (width 16, Exec+ Priv-), PRI at 0x240. */
    static ConfigSpaceBuilder device() {
        return ConfigSpaceBuilder.endpoint(0x8086, 0x0b25).pcie(0x40, DeviceTraits.PCIE_ENDPOINT)
                .extended(0x100, ExtendedCapability.AER, 2)
                .extended(0x220, ExtendedCapability.ATS, 1, (cs, at) -> cs.setU16(at + 4, 0x0025))
                .extended(0x230, ExtendedCapability.PASID, 1, (cs, at) -> cs.setU16(at + 4, 0x1002))
                .extended(0x240, ExtendedCapability.PRI, 1, (cs, at) -> cs.setU32(at + 8, 0x80));
    }

    /** Plans a device as a VMM does (vfio-pci's view, the default hiding policy) and realizes it. */
    static Realization realize(ConfigSpace cs, Map<SyntheticCapability, CapabilityDefinition> requests,
            PlacementOptions options, PasidSupport host) {
        ConfigRegion view = SimHost.vfioView(cs);
        VirtualConfigSpace vcs = VirtualConfigSpace.over(view);
        HidingPolicy.defaults().apply(vcs);
        PlacementPlan plan = PlacementEngine.place(vcs, requests, options);
        return Realizer.realize(new Realizer.Input(ADDRESS, "dsa.lspci:1", SimHost.vfioView(cs), vcs, plan, null, host),
                VmmTarget.QEMU);
    }

    static Map<SyntheticCapability, CapabilityDefinition> pasid(PasidSupport offered) {
        return Map.of(SyntheticCapability.PASID, Synthesizers.pasid(offered));
    }

    @Test
    void aPlacedPasidBecomesXVpasidCapOffsetOnTheIommufdBackend() {
        Realization r = realize(device().build(), pasid(HOST), OPTIONS, HOST);
        assertThat(r.emitted()).isTrue();
        assertThat(r.pasidOffset()).hasValue(0xff8);
        assertThat(QemuCommandLine.device(r))
                .isEqualTo("-device vfio-pci,host=0000:6a:01.0,iommufd=iommufd0,x-vpasid-cap-offset=0xff8");
        assertThat(r.requires()).anySatisfy(line -> assertThat(line).contains("iommufd backend"))
                .anySatisfy(line -> assertThat(line).contains("VIOMMU_FLAG_PASID_SUPPORTED"));
        assertThat(r.warnings()).noneSatisfy(w -> assertThat(w).contains("PASID offers"))
                .noneSatisfy(w -> assertThat(w).contains("another order"));
    }

    @Test
    void narrowerPasidRegistersThanTheHostsCannotBeExpressed() {
        Realization r = realize(device().build(), pasid(new PasidSupport(8, false, false)), OPTIONS, HOST);
        assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains(
                "the plan's PASID offers width 8, Exec- Priv-; QEMU copies the host's, width 16, Exec+ Priv-"));
    }

    @Test
    void aDeviceWithoutPasidGetsNoneFromQemu() {
        ConfigSpace cs = ConfigSpaceBuilder.endpoint(0x8086, 0x0b25).pcie(0x40, DeviceTraits.PCIE_ENDPOINT)
                .extended(0x100, ExtendedCapability.AER, 2).build();
        Realization r = realize(cs, pasid(HOST), OPTIONS, PasidSupport.NONE);
        assertThat(r.pasidOffset()).hasValue(0xff8);
        assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains("shows no PASID capability of its own")
                .contains("out_max_pasid_log2 = 0"));
    }

    @Test
    void aPlanWithoutPasidWarnsThatQemuAddsOneAtTheTail() {
        Realization r = realize(device().build(), Map.of(SyntheticCapability.ATS, Synthesizers.ats(0, true, false)),
                OPTIONS, HOST);
        assertThat(r.pasidOffset()).isEmpty();
        assertThat(QemuCommandLine.device(r)).isEqualTo("-device vfio-pci,host=0000:6a:01.0,iommufd=iommufd0");
        assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains("the plan exposes no PASID (PASID was not"
                + " requested), but QEMU adds one at 0xff8 by itself"));
    }

    @Test
    void synthesizedPriAndAtsAreNamedWithWhatTheGuestSeesInstead() {
        Map<SyntheticCapability, CapabilityDefinition> all = new LinkedHashMap<>(pasid(HOST));
        all.put(SyntheticCapability.PRI, Synthesizers.pri(512, true));
        all.put(SyntheticCapability.ATS, Synthesizers.ats(0, true, false));
        Realization r = realize(device().build(), all, OPTIONS, HOST);
        assertThat(r.warnings()).anySatisfy(w -> assertThat(w).startsWith("QEMU cannot synthesize PRI")
                .contains("the device's own PRI at 0x240, read-only").contains("a synthesized PRI at 0xfe8"));
        assertThat(r.warnings()).anySatisfy(w -> assertThat(w).startsWith("QEMU cannot synthesize ATS")
                .contains("the device's own ATS at 0x220, read-only"));
        // the physical PRI and ATS are explained by these warnings, not again by the chain comparison
        assertThat(r.warnings()).noneSatisfy(w -> assertThat(w).contains("cannot hide"));
    }

    @Test
    void aPriTheDeviceLacksIsNamedAsMissing() {
        ConfigSpace cs = ConfigSpaceBuilder.endpoint(0x8086, 0x0b25).pcie(0x40, DeviceTraits.PCIE_ENDPOINT)
                .extended(0x100, ExtendedCapability.AER, 2).build();
        Realization r = realize(cs, Map.of(SyntheticCapability.PRI, Synthesizers.pri(512, false)), OPTIONS,
                PasidSupport.NONE);
        assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains("The guest sees no PRI, where the plan puts"));
    }

    @Test
    void pasidBelowAnotherCapabilityIsLinkedInOffsetOrderByQemu() {
        ConfigSpace cs = device().extended(0x500, ExtendedCapability.LTR, 1).build();
        Realization r = realize(cs, pasid(HOST), OPTIONS.withExplicit(Map.of(SyntheticCapability.PASID, 0x400)), HOST);
        assertThat(r.pasidOffset()).hasValue(0x400);
        assertThat(r.warnings()).anySatisfy(w -> assertThat(w).contains("QEMU links the extended capabilities in"
                + " another order").contains("PASID").contains("@0x400 -> Latency Tolerance Reporting")
                .contains("the plan ").contains("@0x500 -> Process Address Space ID (PASID)@0x400"));
    }

    @Test
    void pasidAboveEveryCapabilityIsLinkedLastByBoth() {
        Realization r = realize(device().build(), pasid(HOST),
                OPTIONS.withExplicit(Map.of(SyntheticCapability.PASID, 0x400)), HOST);
        assertThat(r.warnings()).noneSatisfy(w -> assertThat(w).contains("another order"));
    }

    @Test
    void aCapabilityThePlanHidesAndQemuCannotIsNamed() {
        ConfigSpace cs = device().build();
        ConfigRegion view = SimHost.vfioView(cs);
        VirtualConfigSpace vcs = VirtualConfigSpace.over(view);
        HidingPolicy.defaults().apply(vcs);
        vcs.editor().hide(vcs.layout().find(ExtendedCapability.AER).orElseThrow(), "hidden by a layout");
        PlacementPlan plan = PlacementEngine.place(vcs, pasid(HOST), OPTIONS);
        Realization r = Realizer.realize(new Realizer.Input(ADDRESS, "x", view, vcs, plan, null, HOST), VmmTarget.QEMU);
        assertThat(r.warnings()).anySatisfy(w -> assertThat(w).isEqualTo("the plan hides Advanced Error Reporting@0x100"
                + " (hidden by a layout); QEMU cannot hide it: the guest sees it"));
    }

    @Test
    void sriovAndAriAreDroppedByBothSoNothingIsSaid() {
        ConfigSpace cs = device().extended(0x160, ExtendedCapability.SRIOV, 1).extended(0x1a0, ExtendedCapability.ARI, 1)
                .build();
        Realization r = realize(cs, pasid(HOST), OPTIONS, HOST);
        assertThat(r.warnings()).noneSatisfy(w -> assertThat(w).contains("SR-IOV"))
                .noneSatisfy(w -> assertThat(w).contains("ARI"));
    }

    @Test
    void nonZeroGapBytesAreListedAsWritableUnderQemu() {
        ConfigSpace cs = device().with((c, at) -> {
            c.setU32(0x500, 1);
            c.setU32(0x600, 2);
        }).build();
        Realization r = realize(cs, pasid(HOST), OPTIONS, HOST);
        assertThat(r.warnings()).anySatisfy(w -> assertThat(w).startsWith("guest writes to extended-space bytes")
                .contains("0x230-0x237, 0x500-0x503, 0x600-0x603"));
    }

    @Test
    void aRefusedOrEmptyPlanIsNotEmitted() {
        Realization refused = realize(device().build(), pasid(HOST),
                OPTIONS.withExplicit(Map.of(SyntheticCapability.PASID, 0x104)), HOST);
        assertThat(refused.emitted()).isFalse();
        assertThat(refused.notEmitted()).isEqualTo("the plan was refused");
        assertThat(refused.properties()).isEmpty();
        ConfigSpace cs = device().build();
        Realization skipped = Realizer.realize(new Realizer.Input(ADDRESS, "x", SimHost.vfioView(cs),
                VirtualConfigSpace.over(SimHost.vfioView(cs)), null, "not a PCI Express function", HOST), VmmTarget.QEMU);
        assertThat(skipped.notEmitted()).isEqualTo("nothing placed: not a PCI Express function");
        assertThat(QemuCommandLine.render(List.of(skipped))).doesNotContain("-object").doesNotContain("-device");
    }
}
