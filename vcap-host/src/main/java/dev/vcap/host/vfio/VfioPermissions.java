package dev.vcap.host.vfio;

import static dev.vcap.host.PciRegs.*;
import static dev.vcap.host.vfio.PermBits.b;
import static dev.vcap.host.vfio.PermBits.d;
import static dev.vcap.host.vfio.PermBits.w;

import dev.vcap.host.vfio.PermBits.Read;
import dev.vcap.host.vfio.PermBits.Write;
import dev.vcap.pci.config.Header;

/**
 * vfio-pci's permission tables, one per capability ID (vfio_pci_init_perm_bits in Linux 6.15): the
 * data, not code. Capabilities without an entry use {@link #DEFAULT_CAP}: read from hardware with a
 * virtual header, writes dropped — which is what makes ATS, PRI, SR-IOV, ARI, LTR and the rest
 * read-only to the user.
 */
public final class VfioPermissions {

    private static final int ALL = 0xFFFF_FFFF;
    private static final int NO = 0;

    /** Capabilities without a table: direct read (virtual header), writes dropped. */
    public static final PermBits DEFAULT_CAP = new PermBits("default", Read.DIRECT, Write.DROP);
    /** Vendor-specific capabilities (standard 0x09, VSEC 0x0B, DVSEC 0x23): direct read, raw write. */
    public static final PermBits VENDOR = new PermBits("vendor", Read.DIRECT, Write.RAW);
    /** Bytes no visible capability owns (gaps, hidden capability bodies): raw read/write. */
    public static final PermBits UNASSIGNED = new PermBits("unassigned", Read.RAW, Write.RAW);
    /** Bytes vfio emulates entirely (PCI_CAP_ID_INVALID_VIRT). */
    public static final PermBits VIRTUAL = new PermBits("virtual", Read.VIRT, Write.VIRT);

    /** The 64-byte header (init_pci_cap_basic_perm). */
    public static final PermBits BASIC = new PermBits("header", 64, Read.BASIC, Write.BASIC,
            w(Header.VENDOR_ID, ALL, NO),                        // virtualized for VFs, which read 0xFFFF
            w(Header.DEVICE_ID, ALL, NO),
            w(Header.COMMAND, COMMAND_INTX_DISABLE, ALL),        // INTx disable is vfio's
            w(Header.STATUS, STATUS_CAP_LIST, NO),               // the list may be emptied
            b(Header.CACHE_LINE_SIZE, NO, ALL),
            b(Header.LATENCY_TIMER, NO, ALL),
            b(Header.BIST, NO, ALL),
            d(0x10, ALL, ALL), d(0x14, ALL, ALL), d(0x18, ALL, ALL), // BARs: virtual, sized by vfio
            d(0x1C, ALL, ALL), d(0x20, ALL, ALL), d(0x24, ALL, ALL),
            d(Header.ROM_ADDRESS_TYPE0, ALL, ALL),
            b(Header.CAPABILITIES_POINTER, ALL, NO),             // vfio relinks the list
            b(Header.INTERRUPT_LINE, ALL, ALL),
            b(Header.INTERRUPT_PIN, ALL, NO));                   // 0 on a VF

    /** Power Management (init_pci_cap_pm_perm): PME virtualized, power state set by the core. */
    public static final PermBits PM = new PermBits("PM", 8, Read.DEFAULT, Write.PM,
            b(1, ALL, NO),
            w(PM_PMC, PM_CAP_PME_MASK, NO),
            d(PM_CTRL, PM_CTRL_PME_ENABLE | PM_CTRL_PME_STATUS,
                    ~(PM_CTRL_PME_ENABLE | PM_CTRL_PME_STATUS | PM_CTRL_STATE_MASK)));

    /** Vital Product Data (init_pci_cap_vpd_perm): address and data virtual. */
    public static final PermBits VPD = new PermBits("VPD", 8, Read.DEFAULT, Write.DEFAULT,
            b(1, ALL, NO),
            w(VPD_ADDR, ALL, ALL),
            d(VPD_DATA, ALL, ALL));

    /** PCI-X (init_pci_cap_pcix_perm). */
    public static final PermBits PCIX = new PermBits("PCI-X", 24, Read.DEFAULT, Write.DEFAULT,
            b(1, ALL, NO),
            w(X_CMD, NO, ALL),
            d(X_ECC_CSR, NO, ALL));

    /**
     * PCI Express (init_pci_cap_exp_perm, sized for the largest structure vfio maps,
     * PCI_CAP_EXP_ENDPOINT_SIZEOF_V2): Device Control writable except Phantom Functions; FLR, Max
     * Payload and Max Read Request virtual (a changed Max Read Request is then set on the device by
     * the write function); Device Control 2 writable except ARI Forwarding; everything else, Link
     * Control 2 included, read through and not writable.
     */
    public static final PermBits EXP = new PermBits("EXP", CAP_EXP_ENDPOINT_SIZEOF_V2, Read.DEFAULT, Write.EXP,
            b(1, ALL, NO),
            w(EXP_DEVCTL, EXP_DEVCTL_BCR_FLR | EXP_DEVCTL_PAYLOAD | EXP_DEVCTL_READRQ, ~EXP_DEVCTL_PHANTOM),
            w(EXP_DEVCTL2, NO, ~EXP_DEVCTL2_ARI));

    /** Advanced Features (init_pci_cap_af_perm): FLR virtual. */
    public static final PermBits AF = new PermBits("AF", 6, Read.DEFAULT, Write.AF,
            b(1, ALL, NO),
            b(AF_CTRL, AF_CTRL_FLR, AF_CTRL_FLR));

    private static final int AER_UNCOR = 0x0000_0001 | 0x0000_0010 | 0x0000_0020 | 0x0000_1000 | 0x0000_2000
            | 0x0000_4000 | 0x0000_8000 | 0x0001_0000 | 0x0002_0000 | 0x0004_0000 | 0x0008_0000 | 0x0010_0000
            | 0x0020_0000 | 0x0040_0000 | 0x0080_0000 | 0x0100_0000 | 0x0200_0000;
    private static final int AER_COR = 0x0001 | 0x0040 | 0x0080 | 0x0100 | 0x1000 | 0x2000 | 0x4000 | 0x8000;

    /** AER (init_pci_ext_cap_err_perm): header virtual, status/mask/severity bits writable. */
    public static final PermBits AER = new PermBits("AER", 0x2C, Read.DEFAULT, Write.DEFAULT,
            d(0, ALL, NO),
            d(ERR_UNCOR_STATUS, NO, AER_UNCOR),
            d(ERR_UNCOR_MASK, NO, AER_UNCOR),
            d(ERR_UNCOR_SEVER, NO, AER_UNCOR),
            d(ERR_COR_STATUS, NO, AER_COR),
            d(ERR_COR_MASK, NO, AER_COR),
            d(ERR_CAP, NO, 0x0000_0040 | 0x0000_0100));  // ECRC generation / check enable

    /** Power Budgeting (init_pci_ext_cap_pwr_perm): the data select byte is writable. */
    public static final PermBits PWR = new PermBits("PWR", 16, Read.DEFAULT, Write.DEFAULT,
            d(0, ALL, NO),
            b(PWR_DATA, NO, ALL));

    /**
     * The PASID capability the three kernel options emulate (not in 6.15): header and Capability
     * virtual and read-only, Control virtual with Enable, Exec and Privileged writable. Nothing
     * reaches the device; the host kernel keeps control of the physical PASID.
     */
    public static final PermBits EMULATED_PASID = new PermBits("emulated PASID", PASID_SIZEOF, Read.DEFAULT,
            Write.DEFAULT,
            d(0, ALL, NO),
            w(PASID_CAP, ALL, NO),
            w(PASID_CTRL, ALL, PASID_CTRL_ENABLE | PASID_CTRL_EXEC | PASID_CTRL_PRIV));

    private static final PermBits[] CAP = new PermBits[VfioCapLengths.CAP_ID_MAX + 1];
    private static final PermBits[] EXT_CAP = new PermBits[VfioCapLengths.EXT_CAP_ID_MAX + 1];

    static {
        java.util.Arrays.fill(CAP, DEFAULT_CAP);
        java.util.Arrays.fill(EXT_CAP, DEFAULT_CAP);
        CAP[VfioCapLengths.CAP_ID_BASIC] = BASIC;
        CAP[0x01] = PM;
        CAP[0x03] = VPD;
        CAP[0x07] = PCIX;
        CAP[0x09] = VENDOR;
        CAP[0x10] = EXP;
        CAP[0x13] = AF;
        EXT_CAP[0x01] = AER;
        EXT_CAP[0x04] = PWR;
        EXT_CAP[0x0B] = VENDOR;
        EXT_CAP[0x23] = VENDOR;
    }

    private VfioPermissions() {
    }

    /** {@code cap_perms[id]} (MSI has a per-device table, {@link #msi}). */
    public static PermBits cap(int id) {
        return id >= 0 && id < CAP.length ? CAP[id] : DEFAULT_CAP;
    }

    /** {@code ecap_perms[id]}. */
    public static PermBits ecap(int id) {
        return id >= 0 && id < EXT_CAP.length ? EXT_CAP[id] : DEFAULT_CAP;
    }

    /**
     * MSI (init_pci_cap_msi_perm), built per device from its flags: flags, address and data
     * virtual (MSI is programmed through VFIO_DEVICE_SET_IRQS), mask and pending writable.
     */
    public static PermBits msi(int length, int flags) {
        boolean is64 = (flags & MSI_FLAGS_64BIT) != 0;
        boolean mask = (flags & MSI_FLAGS_MASKBIT) != 0;
        java.util.List<PermBits.Field> f = new java.util.ArrayList<>(java.util.List.of(
                b(1, ALL, NO), b(MSI_FLAGS, ALL, ALL), d(MSI_ADDRESS_LO, ALL, ALL)));
        if (is64) {
            f.add(d(MSI_ADDRESS_HI, ALL, ALL));
            f.add(w(MSI_DATA_64, ALL, ALL));
            if (mask) {
                f.add(d(MSI_MASK_64, NO, ALL));
                f.add(d(MSI_PENDING_64, NO, ALL));
            }
        } else {
            f.add(w(MSI_DATA_32, ALL, ALL));
            if (mask) {
                f.add(d(MSI_MASK_32, NO, ALL));
                f.add(d(MSI_PENDING_32, NO, ALL));
            }
        }
        return new PermBits("MSI", length, Read.DEFAULT, Write.MSI, f.toArray(PermBits.Field[]::new));
    }
}
