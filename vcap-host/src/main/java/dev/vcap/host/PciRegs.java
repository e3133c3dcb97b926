package dev.vcap.host;

/**
 * Register offsets and bits of include/uapi/linux/pci_regs.h that the host model uses, relative to
 * the start of their capability.
 */
public final class PciRegs {

    private PciRegs() {
    }

    // Command / Status
    public static final int COMMAND_IO = 0x0001;
    public static final int COMMAND_MEMORY = 0x0002;
    public static final int COMMAND_MASTER = 0x0004;
    public static final int COMMAND_INTX_DISABLE = 0x0400;
    public static final int STATUS_CAP_LIST = 0x0010;

    // Power Management
    public static final int PM_PMC = 2;
    public static final int PM_CTRL = 4;
    public static final int PM_CTRL_STATE_MASK = 0x0003;
    public static final int PM_CTRL_NO_SOFT_RESET = 0x0008;
    public static final int PM_CTRL_PME_ENABLE = 0x0100;
    public static final int PM_CTRL_PME_STATUS = 0x8000;
    public static final int PM_CAP_PME_MASK = 0xF800;

    // MSI
    public static final int MSI_FLAGS = 2;
    public static final int MSI_FLAGS_ENABLE = 0x0001;
    public static final int MSI_FLAGS_QSIZE = 0x0070;
    public static final int MSI_FLAGS_64BIT = 0x0080;
    public static final int MSI_FLAGS_MASKBIT = 0x0100;
    public static final int MSI_ADDRESS_LO = 4;
    public static final int MSI_ADDRESS_HI = 8;
    public static final int MSI_DATA_32 = 8;
    public static final int MSI_MASK_32 = 12;
    public static final int MSI_PENDING_32 = 16;
    public static final int MSI_DATA_64 = 12;
    public static final int MSI_MASK_64 = 16;
    public static final int MSI_PENDING_64 = 20;

    // MSI-X
    public static final int MSIX_FLAGS = 2;
    public static final int MSIX_FLAGS_ENABLE = 0x8000;
    public static final int MSIX_FLAGS_MASKALL = 0x4000;

    // VPD
    public static final int VPD_ADDR = 2;
    public static final int VPD_DATA = 4;

    // PCI-X
    public static final int X_CMD = 2;
    public static final int X_ECC_CSR = 8;

    // Advanced Features
    public static final int AF_CAP = 3;
    public static final int AF_CTRL = 4;
    public static final int AF_CTRL_FLR = 0x01;
    public static final int AF_CAP_TP = 0x01;
    public static final int AF_CAP_FLR = 0x02;

    // PCI Express
    public static final int EXP_FLAGS = 2;
    public static final int EXP_FLAGS_VERS = 0x000F;
    public static final int EXP_FLAGS_TYPE = 0x00F0;
    public static final int EXP_FLAGS_TYPE_SHIFT = 4;
    /** PCI_EXP_TYPE_RC_END: a Root Complex Integrated Endpoint (no link registers). */
    public static final int EXP_TYPE_RC_END = 0x9;
    public static final int EXP_DEVCAP = 4;
    public static final int EXP_DEVCAP_FLR = 0x1000_0000;
    public static final int EXP_DEVCTL = 8;
    public static final int EXP_DEVCTL_PAYLOAD = 0x00E0;
    public static final int EXP_DEVCTL_PAYLOAD_SHIFT = 5;
    public static final int EXP_DEVCTL_PHANTOM = 0x0200;
    public static final int EXP_DEVCTL_READRQ = 0x7000;
    public static final int EXP_DEVCTL_READRQ_SHIFT = 12;
    /** Max Payload and Max Read Request Size encode {@code EXP_SIZE_UNIT << field} bytes. */
    public static final int EXP_SIZE_UNIT = 128;
    /** The largest Max Read Request Size pcie_set_readrq accepts (field values 6 and 7 are reserved). */
    public static final int EXP_MAX_READ_REQUEST = 4096;
    public static final int EXP_DEVCTL_BCR_FLR = 0x8000;
    public static final int EXP_DEVSTA = 10;
    public static final int EXP_LNKCAP = 12;
    public static final int EXP_LNKCTL = 16;
    public static final int EXP_LNKSTA = 18;
    public static final int EXP_DEVCAP2 = 36;
    public static final int EXP_DEVCTL2 = 40;
    public static final int EXP_DEVCTL2_ARI = 0x0020;
    public static final int EXP_LNKCAP2 = 44;
    public static final int EXP_LNKCTL2 = 48;
    public static final int EXP_LNKSTA2 = 50;
    /** PCI_CAP_EXP_RC_ENDPOINT_SIZEOF_V1: a v1 root-complex integrated endpoint ends after Device Status. */
    public static final int CAP_EXP_RC_ENDPOINT_SIZEOF_V1 = EXP_DEVSTA + 2;
    /** PCI_CAP_EXP_ENDPOINT_SIZEOF_V1: a v1 endpoint with a link ends after Link Status. */
    public static final int CAP_EXP_ENDPOINT_SIZEOF_V1 = EXP_LNKSTA + 2;
    /** PCI_CAP_EXP_RC_ENDPOINT_SIZEOF_V2: a v2 endpoint without a link ends before Link Capabilities 2. */
    public static final int CAP_EXP_RC_ENDPOINT_SIZEOF_V2 = EXP_LNKCAP2;
    /** PCI_CAP_EXP_ENDPOINT_SIZEOF_V2: a v2 endpoint with a link ends after Link Status 2. */
    public static final int CAP_EXP_ENDPOINT_SIZEOF_V2 = EXP_LNKSTA2 + 2;

    // AER
    public static final int ERR_UNCOR_STATUS = 4;
    public static final int ERR_UNCOR_MASK = 8;
    public static final int ERR_UNCOR_SEVER = 12;
    public static final int ERR_COR_STATUS = 16;
    public static final int ERR_COR_MASK = 20;
    public static final int ERR_CAP = 24;

    // Power Budgeting
    public static final int PWR_DATA = 4;

    // PASID (0x1B)
    public static final int PASID_CAP = 4;
    public static final int PASID_CAP_EXEC = 0x0002;
    public static final int PASID_CAP_PRIV = 0x0004;
    public static final int PASID_CAP_WIDTH_SHIFT = 8;
    public static final int PASID_CAP_WIDTH_MASK = 0x1F00;
    public static final int PASID_CTRL = 6;
    public static final int PASID_CTRL_ENABLE = 0x0001;
    public static final int PASID_CTRL_EXEC = 0x0002;
    public static final int PASID_CTRL_PRIV = 0x0004;
    public static final int PASID_SIZEOF = 8;

    // PRI (0x13)
    public static final int PRI_CTRL = 4;
    public static final int PRI_CTRL_ENABLE = 0x0001;
    public static final int PRI_CTRL_RESET = 0x0002;
    public static final int PRI_STATUS = 6;
    public static final int PRI_STATUS_RF = 0x0001;
    public static final int PRI_STATUS_UPRGI = 0x0002;
    public static final int PRI_STATUS_STOPPED = 0x0100;
    public static final int PRI_STATUS_PASID = 0x8000;
    public static final int PRI_MAX_REQ = 8;
    public static final int PRI_ALLOC_REQ = 12;

    // ATS (0x0F)
    public static final int ATS_CAP = 4;
    public static final int ATS_CTRL = 6;
    public static final int ATS_CTRL_ENABLE = 0x8000;
    public static final int ATS_CTRL_STU_MASK = 0x001F;
    /** log2 of the smallest translation unit the STU field encodes as 0 (4 KiB). */
    public static final int ATS_MIN_STU = 12;

    // SR-IOV (0x10)
    public static final int SRIOV_CAP = 4;
    public static final int SRIOV_CTRL = 8;
    public static final int SRIOV_CTRL_VFE = 0x0001;
    public static final int SRIOV_CTRL_MSE = 0x0008;
    public static final int SRIOV_CTRL_ARI = 0x0010;
    public static final int SRIOV_STATUS = 10;
    public static final int SRIOV_INITIAL_VF = 12;
    public static final int SRIOV_TOTAL_VF = 14;
    public static final int SRIOV_NUM_VF = 16;
    public static final int SRIOV_FUNC_LINK = 18;
    public static final int SRIOV_VF_OFFSET = 20;
    public static final int SRIOV_VF_STRIDE = 22;
    public static final int SRIOV_VF_DID = 26;
    public static final int SRIOV_SUP_PGSIZE = 28;
    public static final int SRIOV_SYS_PGSIZE = 32;
    public static final int SRIOV_BAR = 36;
    public static final int SRIOV_VFM = 60;

    // VSEC / DVSEC
    public static final int VSEC_HDR = 4;
    public static final int DVSEC_HEADER1 = 4;
    public static final int DVSEC_HEADER2 = 8;
}
