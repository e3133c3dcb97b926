package dev.vcap.host.sim;

import static dev.vcap.host.PciRegs.*;

import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.Header;
import dev.vcap.pci.config.PciAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * How a simulated VF's config space is derived from its PF (the corpus has no VF dump). Every byte
 * of the VF is either copied from the PF, derived from the PF's SR-IOV capability, or fixed by the
 * SR-IOV spec:
 *
 * <table>
 *   <caption>VF config space</caption>
 *   <tr><th>bytes</th><th>value</th><th>why</th></tr>
 *   <tr><td>Vendor ID, Device ID</td><td>0xFFFF, 0xFFFF</td><td>VFs do not implement them; the
 *       PCI core takes the vendor from the PF and the device from the PF's SR-IOV VF Device ID</td></tr>
 *   <tr><td>Command</td><td>0</td><td>I/O and memory enables are the PF's (SR-IOV VF MSE)</td></tr>
 *   <tr><td>Status</td><td>Capabilities List when any standard capability is kept</td><td></td></tr>
 *   <tr><td>Revision, Class Code, Subsystem IDs</td><td>the PF's</td><td>VFs of a PF are the same
 *       product</td></tr>
 *   <tr><td>Header Type</td><td>0</td><td>a VF is a single-function type 0 function</td></tr>
 *   <tr><td>BARs, ROM</td><td>0</td><td>VF BARs are the PF's SR-IOV VF BARs; the registers read 0</td></tr>
 *   <tr><td>Interrupt Pin, Line</td><td>0</td><td>VFs have no INTx</td></tr>
 *   <tr><td>standard capabilities</td><td>the PF's PCI Express (Device Capabilities gains Function
 *       Level Reset), Power Management, MSI and MSI-X, each at the PF's offset, relinked in the PF's
 *       order</td><td>the PF's layout is the template; vendor and other capabilities stay with the PF</td></tr>
 *   <tr><td>extended capabilities</td><td>the PF's AER, ACS, ARI, ATS and TPH at the PF's offsets,
 *       relinked in the PF's order; ATS Control reads 0</td><td>a VF never has PASID or PRI (the PF's
 *       are shared), nor SR-IOV</td></tr>
 *   <tr><td>0x100 when the PF's capability there is not kept</td><td>an ID-0, version-0 header whose
 *       next pointer is the first kept capability</td><td>the extended list must start at 0x100</td></tr>
 *   <tr><td>everything else</td><td>0</td><td></td></tr>
 * </table>
 */
public final class VfDerivation {

    private static final Set<Integer> KEPT_STANDARD = Set.of(StandardCapability.PCI_EXPRESS.id(),
            StandardCapability.PM.id(), StandardCapability.MSI.id(), StandardCapability.MSIX.id());
    private static final Set<Integer> KEPT_EXTENDED = Set.of(ExtendedCapability.AER.id(), ExtendedCapability.ACS.id(),
            ExtendedCapability.ARI.id(), ExtendedCapability.ATS.id(), ExtendedCapability.TPH.id());

    private VfDerivation() {
    }

    /** The VF's config space (as hardware presents it: ID registers read 0xFFFF). */
    public static ConfigSpace config(ConfigSpace pf) {
        ConfigSpace vf = ConfigSpace.allocate(pf.length());
        vf.setU16(Header.VENDOR_ID, 0xFFFF);
        vf.setU16(Header.DEVICE_ID, 0xFFFF);
        vf.setU8(Header.REVISION_ID, pf.u8(Header.REVISION_ID));
        vf.setU8(Header.PROG_IF, pf.u8(Header.PROG_IF));
        vf.setU8(Header.SUBCLASS, pf.u8(Header.SUBCLASS));
        vf.setU8(Header.BASE_CLASS, pf.u8(Header.BASE_CLASS));
        vf.setU16(Header.SUBSYSTEM_VENDOR_ID, pf.u16(Header.SUBSYSTEM_VENDOR_ID));
        vf.setU16(Header.SUBSYSTEM_ID, pf.u16(Header.SUBSYSTEM_ID));

        CapabilityChain chain = CapabilityChain.walk(pf);
        List<Capability> standard = chain.standard().stream().filter(c -> KEPT_STANDARD.contains(c.id())).toList();
        int prevNext = Header.CAPABILITIES_POINTER;
        for (Capability c : standard) {
            vf.put(c.offset(), pf.slice(c.offset(), Math.min(c.length(), ConfigSpace.CONVENTIONAL_SIZE - c.offset())));
            vf.setU8(prevNext, c.offset());
            vf.setU8(c.offset() + StandardCapability.NEXT, 0);
            prevNext = c.offset() + StandardCapability.NEXT;
            if (c.id() == StandardCapability.PCI_EXPRESS.id()) {
                vf.setU32(c.offset() + EXP_DEVCAP, vf.u32(c.offset() + EXP_DEVCAP) | EXP_DEVCAP_FLR);
                vf.setU16(c.offset() + EXP_DEVCTL, vf.u16(c.offset() + EXP_DEVCTL) & ~EXP_DEVCTL_BCR_FLR);
            }
            if (c.id() == StandardCapability.MSI.id()) {
                vf.setU16(c.offset() + MSI_FLAGS, vf.u16(c.offset() + MSI_FLAGS) & ~(MSI_FLAGS_ENABLE | MSI_FLAGS_QSIZE));
            }
            if (c.id() == StandardCapability.MSIX.id()) {
                vf.setU16(c.offset() + MSIX_FLAGS, vf.u16(c.offset() + MSIX_FLAGS)
                        & ~(MSIX_FLAGS_ENABLE | MSIX_FLAGS_MASKALL));
            }
        }
        if (!standard.isEmpty()) {
            vf.setU16(Header.STATUS, STATUS_CAP_LIST);
        }
        if (pf.length() > ConfigSpace.CONVENTIONAL_SIZE) {
            List<Capability> extended = new ArrayList<>(
                    chain.extended().stream().filter(c -> KEPT_EXTENDED.contains(c.id())).toList());
            if (!extended.isEmpty() && extended.stream().noneMatch(c -> c.offset() == SimFunction.FIRST_EXTENDED)) {
                vf.setU32(SimFunction.FIRST_EXTENDED, 0); // ID-0 anchor, linked below
            }
            int prev = -1;
            for (Capability c : extended) {
                int header = pf.u32(c.offset());
                vf.put(c.offset(), pf.slice(c.offset(), Math.min(c.length(), pf.length() - c.offset())));
                vf.setU32(c.offset(), ExtendedCapability.header(c.id(), ExtendedCapability.headerVersion(header), 0));
                if (c.id() == ExtendedCapability.ATS.id()) {
                    vf.setU16(c.offset() + ATS_CTRL, 0);
                }
                int link = prev >= 0 ? prev : c.offset() == SimFunction.FIRST_EXTENDED ? -1 : SimFunction.FIRST_EXTENDED;
                if (link >= 0) {
                    int h = vf.u32(link);
                    vf.setU32(link, ExtendedCapability.header(ExtendedCapability.headerId(h),
                            ExtendedCapability.headerVersion(h), c.offset()));
                }
                prev = c.offset();
            }
        }
        return vf;
    }

    /**
     * The address of VF {@code index} (0-based): routing ID = PF's + First VF Offset + index x VF
     * Stride, in the PF's domain.
     */
    public static PciAddress address(SimFunction pf, int index) {
        ConfigSpace cs = pf.snapshot();
        int sriov = pf.sriovCap();
        int offset = cs.u16(sriov + SRIOV_VF_OFFSET);
        int stride = cs.u16(sriov + SRIOV_VF_STRIDE);
        PciAddress a = pf.address();
        int rid = (a.bus() << 8 | a.device() << 3 | a.function()) + offset + index * stride;
        if (rid > 0xFFFF) {
            throw new IllegalArgumentException("VF " + index + " of " + a + " would be beyond bus 0xff");
        }
        return new PciAddress(a.domain(), rid >>> 8, rid >>> 3 & 0x1F, rid & 7);
    }

    /** The device ID the PCI core gives the PF's VFs: the SR-IOV VF Device ID. */
    public static int vfDeviceId(SimFunction pf) {
        return pf.read(pf.sriovCap() + SRIOV_VF_DID, 2);
    }
}
