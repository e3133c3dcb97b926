package dev.vcap.guest;

import java.util.ArrayList;
import java.util.List;

/**
 * What Linux 6.12's Intel VT-d driver does with one PCI device's PASID, ATS and PRI when it probes
 * it and attaches it to its default DMA domain (drivers/iommu/intel/iommu.c of 6.12.118, the
 * guest kernel's series), given the remapping unit's extended capabilities (ECAP, which the guest
 * prints at boot: {@code DMAR: dmar0: reg_base_addr ... ecap ...}). docs/GUEST.md lists the steps
 * with the kernel's lines, and what the real guest of guest/harness.sh showed.
 *
 * <ol>
 * <li>{@code intel_iommu_probe_device}: ATS is supported when ECAP.DT is set, the device passes
 * {@code pci_ats_supported} and the DMAR table's ATSR covers its root port
 * ({@code dmar_ats_supported}; QEMU's covers all ports: {@code ATSR flags: 0x1}). In scalable mode
 * with ECAP.PASID the PASID features are {@code pci_pasid_features}; PRI is supported with ATS,
 * ECAP.PRS, ECAP.PDS and {@code pci_pri_supported}. A device that passes
 * {@code pci_ats_supported} gets its Smallest Translation Unit programmed at once, Enable clear
 * ({@code pci_prepare_ats(pdev, VTD_PAGE_SHIFT)}, whatever ECAP.DT says). Then, because the PCIe
 * spec leaves a device undefined when PASID is enabled after ATS, PASID is enabled at once with
 * every feature the device offers ({@code pci_enable_pasid}).</li>
 * <li>Attaching the default domain ({@code dmar_domain_attach_device} ->
 * {@code iommu_enable_pci_caps}): ATS is enabled with the VT-d page shift, 12, when ATS is
 * supported and the device makes page-aligned requests ({@code pci_ats_page_aligned}).</li>
 * <li>PRI is enabled only when a driver asks for I/O page faults ({@code intel_iommu_enable_iopf});
 * a device no driver binds never gets it.</li>
 * </ol>
 *
 * @param ecap the remapping unit's extended capability register
 */
public record IntelIommuDriver(long ecap) {

    /** ECAP bits the steps look at (VT-d spec 11.4.3; include/linux/intel-iommu.h ecap_*). */
    public static final long ECAP_DT = 1L << 2;
    public static final long ECAP_PRS = 1L << 29;
    public static final long ECAP_PASID = 1L << 40;
    public static final long ECAP_SMTS = 1L << 43;
    /** VTD_PAGE_SHIFT. */
    public static final int PAGE_SHIFT = 12;

    /** One step the driver took, with the kernel's result. */
    public record Step(String call, Errno result) {
        @Override
        public String toString() {
            return call + " = " + result.value();
        }
    }

    /** Runs probe and default-domain attach on {@code dev}, as the guest kernel would. */
    public List<Step> probeAndAttach(GuestPciDev dev) {
        List<Step> steps = new ArrayList<>();
        boolean ats = (ecap & ECAP_DT) != 0 && dev.atsSupported();
        int pasidSupported = 0;
        if ((ecap & ECAP_SMTS) != 0 && (ecap & ECAP_PASID) != 0) {
            int features = dev.pasidFeatures();
            if (features >= 0) {
                pasidSupported = features | 1;
            }
        }
        if (dev.atsSupported()) {
            steps.add(new Step("pci_prepare_ats(ps " + PAGE_SHIFT + ")", dev.prepareAts(PAGE_SHIFT)));
        }
        if (pasidSupported != 0) {
            int features = pasidSupported & ~1;
            steps.add(new Step(String.format("pci_enable_pasid(features 0x%x)", features), dev.enablePasid(features)));
        }
        if (ats && dev.atsPageAligned() == 1) {
            steps.add(new Step("pci_enable_ats(ps " + PAGE_SHIFT + ")", dev.enableAts(PAGE_SHIFT)));
        }
        return steps;
    }

    /** Parses the {@code ecap} printed in {@code DMAR: dmar0: reg_base_addr ... cap ... ecap HEX}. */
    public static IntelIommuDriver fromDmesg(String dmesg) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("DMAR: dmar\\d+: reg_base_addr \\p{XDigit}+ ver"
                + " \\S+ cap \\p{XDigit}+ ecap (\\p{XDigit}+)").matcher(dmesg);
        if (!m.find()) {
            throw new IllegalArgumentException("no 'DMAR: dmar0: ... ecap HEX' line in the guest's kernel log");
        }
        return new IntelIommuDriver(Long.parseUnsignedLong(m.group(1), 16));
    }
}
