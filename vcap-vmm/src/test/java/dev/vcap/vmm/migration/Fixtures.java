package dev.vcap.vmm.migration;

import dev.vcap.host.InMemoryConfigRegion;
import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import dev.vcap.vmm.config.CapabilityDefinition;
import dev.vcap.vmm.config.HidingPolicy;
import dev.vcap.vmm.config.VirtualConfigSpace;
import dev.vcap.vmm.placement.PlacementEngine;
import dev.vcap.vmm.placement.PlacementOptions;
import dev.vcap.vmm.placement.QuirkTable;
import dev.vcap.vmm.placement.SyntheticCapability;
import dev.vcap.vmm.synth.PasidSupport;
import dev.vcap.vmm.synth.Synthesizers;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Devices and contracts shared by the migration tests. */
final class Fixtures {

    static final PasidSupport HOST = new PasidSupport(20, true, false);
    static final PlacementOptions OPTIONS = new PlacementOptions(Map.of(), null, List.of(), QuirkTable.empty(), null,
            true, PlacementOptions.Compat.VCAP);
    static final Admission.Options ADMIT = new Admission.Options(HOST, QuirkTable.empty(), HidingPolicy.defaults());

    private Fixtures() {
    }

    static ConfigSpaceBuilder model() {
        return ConfigSpaceBuilder.endpoint(0x8086, 0x0b25).classCode(0x088000).revision(1).subsystem(0x8086, 0x0000)
                .pcie(0x40, DeviceTraits.PCIE_ENDPOINT)
                .extended(0x100, ExtendedCapability.AER, 2)
                .extended(0x150, ExtendedCapability.LTR, 1)
                .extended(0x160, ExtendedCapability.ATS, 1, (c, at) -> c.setU16(at + 4, 0x0020));
    }

    static Map<SyntheticCapability, CapabilityDefinition> requests(PasidSupport pasid) {
        Map<SyntheticCapability, CapabilityDefinition> m = new LinkedHashMap<>();
        m.put(SyntheticCapability.PASID, Synthesizers.pasid(pasid));
        m.put(SyntheticCapability.PRI, Synthesizers.pri(256, false));
        return m;
    }

    /** The source's guest view of a device: default hiding, PASID and PRI placed. */
    static VirtualConfigSpace source(ConfigSpace cs, PlacementOptions options) {
        VirtualConfigSpace vcs = VirtualConfigSpace.over(new InMemoryConfigRegion(cs));
        HidingPolicy.defaults().apply(vcs);
        PlacementEngine.place(vcs, requests(HOST), options);
        return vcs;
    }

    static LayoutContract contract(ConfigSpace cs) {
        return Contracts.export(source(cs, OPTIONS));
    }
}
