package dev.vcap.vmm.viommu;

import dev.vcap.vmm.synth.PasidSupport;

/**
 * The guest's IOMMU as the VMM emulates it: generic, with enough of Intel VT-d scalable mode and
 * Arm SMMUv3 to say whether PASID is offered and how wide, and whether ATS is advertised. The VMM
 * synthesizes a vPASID only when both the vIOMMU and the host (GET_HW_INFO) support PASID, as QEMU
 * does.
 */
public sealed interface VIommu permits VIommu.IntelVtd, VIommu.ArmSmmuV3 {

    /** "Intel VT-d", "Arm SMMUv3". */
    String name();

    /** What the vIOMMU offers a guest for PASID; {@link PasidSupport#NONE} when nothing. */
    PasidSupport pasid();

    /** Whether the guest is told it may use ATS (VT-d ECAP.DT, SMMUv3 IDR0.ATS). */
    boolean advertisesAts();

    /**
     * Intel VT-d. PASID exists in scalable mode only; ECAP.PSS is the supported PASID size minus
     * one; ECAP.ERS and ECAP.SRS say whether Execute and Supervisor (privileged) requests are
     * supported; ECAP.DT (Device-TLB) is ATS.
     */
    record IntelVtd(boolean scalableMode, int pss, boolean ers, boolean srs, boolean deviceTlb) implements VIommu {
        public IntelVtd {
            if (pss < 0 || pss > 19) {
                throw new IllegalArgumentException("ECAP.PSS is 0..19, got " + pss);
            }
        }

        @Override
        public String name() {
            return "Intel VT-d";
        }

        @Override
        public PasidSupport pasid() {
            return scalableMode ? new PasidSupport(pss + 1, ers, srs) : PasidSupport.NONE;
        }

        @Override
        public boolean advertisesAts() {
            return deviceTlb;
        }
    }

    /**
     * Arm SMMUv3. IDR1.SSIDSIZE is the substream ID (PASID) width; SMMUv3 does not carry PCIe's
     * Execute and Privileged request attributes, so neither is offered. IDR0.ATS is ATS; for
     * SMMUv3 the guest enables ATS per device in its vSTE (STE.EATS).
     */
    record ArmSmmuV3(int ssidSize, boolean ats) implements VIommu {
        public ArmSmmuV3 {
            if (ssidSize < 0 || ssidSize > 20) {
                throw new IllegalArgumentException("SSIDSIZE is 0..20, got " + ssidSize);
            }
        }

        @Override
        public String name() {
            return "Arm SMMUv3";
        }

        @Override
        public PasidSupport pasid() {
            return new PasidSupport(ssidSize, false, false);
        }

        @Override
        public boolean advertisesAts() {
            return ats;
        }
    }
}
