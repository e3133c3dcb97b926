package dev.vcap.guest;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.capability.StandardCapability;

/**
 * A capability offset Linux caches at probe time and never looks up again, named as the kernel
 * names it, with the code that fills it (Linux 6.18, {@code include/linux/pci.h} and the files
 * named). Constants are in the order probe fills them. Every one of these offsets is part of the
 * migration ABI: the guest goes on using it after the VM moves.
 */
public enum CachedField {
    /** {@code pcie_cap}: {@code set_pcie_port_type()}, drivers/pci/probe.c (from pci_setup_device). */
    PCIE_CAP("pcie_cap", StandardCapability.PCI_EXPRESS, "set_pcie_port_type(), drivers/pci/probe.c"),
    /** {@code l1ss}: {@code pci_configure_aspm_l1ss()}, drivers/pci/pcie/aspm.c (from pci_configure_device). */
    L1SS("l1ss", ExtendedCapability.L1PM, "pci_configure_aspm_l1ss(), drivers/pci/pcie/aspm.c"),
    /** {@code msi_cap}: {@code pci_msi_init()}, drivers/pci/msi/pcidev_msi.c. */
    MSI_CAP("msi_cap", StandardCapability.MSI, "pci_msi_init(), drivers/pci/msi/pcidev_msi.c"),
    /** {@code msix_cap}: {@code pci_msix_init()}, drivers/pci/msi/pcidev_msi.c. */
    MSIX_CAP("msix_cap", StandardCapability.MSIX, "pci_msix_init(), drivers/pci/msi/pcidev_msi.c"),
    /** {@code pm_cap}: {@code pci_pm_init()}, drivers/pci/pci.c; only when the PMC version is at most 3. */
    PM_CAP("pm_cap", StandardCapability.PM, "pci_pm_init(), drivers/pci/pci.c"),
    /** {@code vpd.cap}: {@code pci_vpd_init()}, drivers/pci/vpd.c. */
    VPD_CAP("vpd.cap", StandardCapability.VPD, "pci_vpd_init(), drivers/pci/vpd.c"),
    /** {@code sriov->pos}: {@code pci_iov_init()} / {@code sriov_init()}, drivers/pci/iov.c; PCIe only. */
    SRIOV_POS("sriov->pos", ExtendedCapability.SRIOV, "pci_iov_init(), drivers/pci/iov.c"),
    /** {@code ats_cap}: {@code pci_ats_init()}, drivers/pci/ats.c; not with {@code pci=noats}. */
    ATS_CAP("ats_cap", ExtendedCapability.ATS, "pci_ats_init(), drivers/pci/ats.c"),
    /** {@code pri_cap}: {@code pci_pri_init()}, drivers/pci/ats.c. */
    PRI_CAP("pri_cap", ExtendedCapability.PRI, "pci_pri_init(), drivers/pci/ats.c"),
    /** {@code pasid_cap}: {@code pci_pasid_init()}, drivers/pci/ats.c. */
    PASID_CAP("pasid_cap", ExtendedCapability.PASID, "pci_pasid_init(), drivers/pci/ats.c"),
    /** {@code acs_cap}: {@code pci_acs_init()}, drivers/pci/pci.c. */
    ACS_CAP("acs_cap", ExtendedCapability.ACS, "pci_acs_init(), drivers/pci/pci.c"),
    /** {@code ptm_cap}: {@code pci_ptm_init()}, drivers/pci/pcie/ptm.c; PCIe only. */
    PTM_CAP("ptm_cap", ExtendedCapability.PTM, "pci_ptm_init(), drivers/pci/pcie/ptm.c"),
    /** {@code aer_cap}: {@code pci_aer_init()}, drivers/pci/pcie/aer.c. */
    AER_CAP("aer_cap", ExtendedCapability.AER, "pci_aer_init(), drivers/pci/pcie/aer.c"),
    /** {@code dpc_cap}: {@code pci_dpc_init()}, drivers/pci/pcie/dpc.c. */
    DPC_CAP("dpc_cap", ExtendedCapability.DPC, "pci_dpc_init(), drivers/pci/pcie/dpc.c"),
    /** {@code doe_mbs}: {@code pci_doe_init()}, drivers/pci/doe.c; one mailbox per DOE capability. */
    DOE_MB("doe_mbs", ExtendedCapability.DOE, "pci_doe_init(), drivers/pci/doe.c"),
    /** {@code tph_cap}: {@code pci_tph_init()}, drivers/pci/tph.c (6.13). */
    TPH_CAP("tph_cap", ExtendedCapability.TPH, "pci_tph_init(), drivers/pci/tph.c"),
    /** {@code rebar_cap}: {@code pci_rebar_init()}, drivers/pci/rebar.c (6.18). */
    REBAR_CAP("rebar_cap", ExtendedCapability.RESIZABLE_BAR, "pci_rebar_init(), drivers/pci/rebar.c"),
    /** {@code npem->pos}: {@code pci_npem_create()}, drivers/pci/npem.c (6.12); NPEM Capable set, no _DSM. */
    NPEM_POS("npem->pos", ExtendedCapability.NPEM, "pci_npem_create(), drivers/pci/npem.c");

    private final String kernelName;
    private final CapabilityKind capability;
    private final String kernelSource;

    CachedField(String kernelName, CapabilityKind capability, String kernelSource) {
        this.kernelName = kernelName;
        this.capability = capability;
        this.kernelSource = kernelSource;
    }

    /** The field's name in {@code struct pci_dev} (or the structure it hangs off). */
    public String kernelName() {
        return kernelName;
    }

    /** The capability the kernel expects at the cached offset. */
    public CapabilityKind capability() {
        return capability;
    }

    public CapabilitySpace space() {
        return capability.space();
    }

    /** The function that fills the field, and its file. */
    public String kernelSource() {
        return kernelSource;
    }
}
