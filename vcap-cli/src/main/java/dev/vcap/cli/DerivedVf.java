package dev.vcap.cli;

import dev.vcap.host.ConfigRegion;
import dev.vcap.host.PciRegs;
import dev.vcap.host.sim.SimHost;
import dev.vcap.host.sim.SimVfioDevice;
import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.DeviceImage;
import java.util.Optional;

/**
 * {@code --vf}: the first VF of a PF captured in a dump, made as vcap's simulated host makes it when
 * {@code sriov_numvfs} is written ({@code VfDerivation}: the PF's PCI Express, PM, MSI and MSI-X, and
 * its AER, ACS, ARI, ATS and TPH at the PF's offsets; never PASID, PRI or SR-IOV; a null header at
 * 0x100 when the PF's first capability is not kept), then opened through vfio-pci as a VMM opens it
 * (the Vendor and Device IDs virtualized from the PF's and its SR-IOV VF Device ID). The corpus has
 * no VF dump; this is how vcap plans, serves and compares a VF without one. Its BARs read 0: a dump
 * does not size the PF's VF BARs.
 *
 * @param pf    the PF's dump
 * @param image the VF as vfio-pci shows it (its address from the PF's First VF Offset)
 */
record DerivedVf(DeviceImage pf, DeviceImage image) {

    /** The VF of {@code pf}, or empty when it has no SR-IOV capability or its TotalVFs is 0. */
    static Optional<DerivedVf> of(DeviceImage pf) {
        Optional<Integer> sriov = CapabilityChain.walk(pf.config()).find(ExtendedCapability.SRIOV)
                .map(Capability::offset);
        if (sriov.isEmpty() || pf.config().u16(sriov.get() + PciRegs.SRIOV_TOTAL_VF) == 0) {
            return Optional.empty();
        }
        SimVfioDevice vf = open(pf);
        return Optional.of(new DerivedVf(pf, new DeviceImage(vf.address(), "VF 0 of " + pf.address()
                + " (derived): " + pf.description(), vf.config().snapshot(), pf.origin() + ", VF 0 derived")));
    }

    /** A fresh vfio-pci config region of the VF (vfio's model of it, nothing written yet). */
    ConfigRegion region() {
        return open(pf).config();
    }

    /** The PF alone on a simulated host, sriov_numvfs 1, its VF's vfio device file opened. */
    private static SimVfioDevice open(DeviceImage pf) {
        SimHost host = SimHost.builder().function(pf.address(), pf.config().copy()).build();
        return host.openDevice(host.enableVfs(pf.address(), 1).getFirst());
    }
}
