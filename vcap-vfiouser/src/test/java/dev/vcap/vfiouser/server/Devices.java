package dev.vcap.vfiouser.server;

import dev.vcap.host.InMemoryConfigRegion;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import dev.vcap.vmm.config.VirtualConfigSpace;
import dev.vcap.vmm.synth.PasidSupport;
import dev.vcap.vmm.synth.Synthesizers;

/** A small PCI Express endpoint (FLR capable) with AER at 0x100, a 64-bit BAR0 and a synthesized PASID at 0xff8. */
final class Devices {
    static final int PASID = 0xff8;

    private Devices() {
    }

    static ConfigSpace image() {
        ConfigSpace cs = ConfigSpaceBuilder.endpoint(0x8086, 0x1234).pcie(0x40, 0).extended(0x100,
                ExtendedCapability.AER, 2).build();
        cs.setU32(0x10, 0xfe00000c); // 64-bit prefetchable memory at 0xfe000000
        cs.setU8(0x3d, 1); // INTA
        cs.setU32(0x44, cs.u32(0x44) | 1 << 28); // Device Capabilities: Function Level Reset
        return cs;
    }

    static VirtualConfigSpace vcs(InMemoryConfigRegion backing) {
        VirtualConfigSpace vcs = VirtualConfigSpace.over(backing);
        vcs.editor().insert(PASID, Synthesizers.pasid(new PasidSupport(20, false, true)));
        return vcs;
    }
}
