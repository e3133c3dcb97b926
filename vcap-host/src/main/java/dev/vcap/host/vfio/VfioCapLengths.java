package dev.vcap.host.vfio;

import static dev.vcap.host.PciRegs.*;

import dev.vcap.host.ConfigRegion;

/**
 * The capability lengths vfio-pci uses (Linux 6.15 drivers/vfio/pci/vfio_pci_config.c:
 * {@code pci_cap_length}, {@code pci_ext_cap_length}, {@code vfio_cap_len}, {@code vfio_ext_cap_len},
 * {@code vfio_vc_cap_len}). They are vfio's, not the architected lengths of the vcap-pci catalogue:
 * a length of 0 hides the capability, and some lengths differ (PCI Express v2 is 0x34 bytes here,
 * 0x2C on a root-complex integrated endpoint: the slot and root registers are left to raw access;
 * AER is 0x2C even on a root port). A standard capability with ID 0 or an ID past the table is not
 * sized at all: {@code vfio_cap_init} hides it.
 */
public final class VfioCapLengths {

    /** vfio's marker for "computed from registers". */
    public static final int VARIABLE = 0xFF;
    /** PCI_CAP_ID_MAX in 6.15 (Enhanced Allocation); higher IDs are hidden. */
    public static final int CAP_ID_MAX = 0x14;
    /** PCI_EXT_CAP_ID_MAX in 6.15 (Physical Layer 64.0 GT/s); higher IDs are hidden. */
    public static final int EXT_CAP_ID_MAX = 0x31;

    /** PCI_CAP_ID_BASIC: vfio's pseudo-capability for the 64-byte header. */
    public static final int CAP_ID_BASIC = 0;

    private static final int[] CAP = new int[CAP_ID_MAX + 1];
    private static final int[] EXT_CAP = new int[EXT_CAP_ID_MAX + 1];

    static {
        CAP[CAP_ID_BASIC] = 64;  // PCI_STD_HEADER_SIZEOF
        CAP[0x01] = 8;           // PM: PCI_PM_SIZEOF
        CAP[0x02] = 12;          // AGP: PCI_AGP_SIZEOF
        CAP[0x03] = 8;           // VPD: PCI_CAP_VPD_SIZEOF
        CAP[0x04] = 0;           // Slot ID: bridge, don't care
        CAP[0x05] = VARIABLE;    // MSI: 10, 14, 20 or 24
        CAP[0x06] = 0;           // CompactPCI hot swap: not yet
        CAP[0x07] = VARIABLE;    // PCI-X: 8 or 24
        CAP[0x08] = VARIABLE;    // HyperTransport
        CAP[0x09] = VARIABLE;    // vendor specific
        CAP[0x0A] = 0;           // debug port
        CAP[0x0B] = 0;           // CompactPCI central resource control
        CAP[0x0C] = 0;           // hot-plug (SHPC)
        CAP[0x0D] = 0;           // subsystem vendor (bridge)
        CAP[0x0E] = 0;           // AGP 8x
        CAP[0x0F] = 0;           // secure device
        CAP[0x10] = VARIABLE;    // PCI Express: 12, 20, 0x2C or 0x34
        CAP[0x11] = 12;          // MSI-X: PCI_CAP_MSIX_SIZEOF
        CAP[0x12] = VARIABLE;    // SATA
        CAP[0x13] = 6;           // Advanced Features: PCI_CAP_AF_SIZEOF
        CAP[0x14] = 0;           // Enhanced Allocation: not in vfio's table

        EXT_CAP[0x01] = 0x2C;    // AER: PCI_ERR_ROOT_COMMAND
        EXT_CAP[0x02] = VARIABLE; // VC
        EXT_CAP[0x03] = 12;      // DSN
        EXT_CAP[0x04] = 16;      // Power Budgeting
        EXT_CAP[0x05] = 0;       // RC link declaration: root only
        EXT_CAP[0x06] = 0;       // RC internal link control: root only
        EXT_CAP[0x07] = 0;       // RC event collector: root only
        EXT_CAP[0x08] = VARIABLE; // MFVC
        EXT_CAP[0x09] = VARIABLE; // VC9
        EXT_CAP[0x0A] = 0;       // RCRB: root only
        EXT_CAP[0x0B] = VARIABLE; // VSEC
        EXT_CAP[0x0C] = 0;       // CAC: obsolete
        EXT_CAP[0x0D] = VARIABLE; // ACS
        EXT_CAP[0x0E] = 8;       // ARI
        EXT_CAP[0x0F] = 8;       // ATS
        EXT_CAP[0x10] = 0x40;    // SR-IOV
        EXT_CAP[0x11] = 0;       // MR-IOV: not yet
        EXT_CAP[0x12] = 40;      // Multicast: PCI_EXT_CAP_MCAST_ENDPOINT_SIZEOF
        EXT_CAP[0x13] = 16;      // PRI
        EXT_CAP[0x14] = 0;       // AMD: not yet
        EXT_CAP[0x15] = VARIABLE; // Resizable BAR
        EXT_CAP[0x16] = VARIABLE; // DPA
        EXT_CAP[0x17] = VARIABLE; // TPH
        EXT_CAP[0x18] = 8;       // LTR
        EXT_CAP[0x19] = 0;       // Secondary PCIe: not yet
        EXT_CAP[0x1A] = 0;       // PMUX: not yet
        EXT_CAP[0x1B] = 0;       // PASID: not yet -- hidden
        EXT_CAP[0x23] = VARIABLE; // DVSEC
        // every other ID up to EXT_CAP_ID_MAX: 0 (hidden)
    }

    private VfioCapLengths() {
    }

    /** {@code pci_cap_length[id]}: 0 hides, {@link #VARIABLE} is computed; IDs past the table hide. */
    public static int tableLength(int id) {
        return id >= 0 && id <= CAP_ID_MAX ? CAP[id] : 0;
    }

    /** {@code pci_ext_cap_length[id]}; IDs past the table hide. */
    public static int extTableLength(int id) {
        return id >= 0 && id <= EXT_CAP_ID_MAX ? EXT_CAP[id] : 0;
    }

    /**
     * The length vfio gives a standard capability at {@code pos} (0: hidden), reading registers the
     * way {@code vfio_cap_len} does. {@code vfio_cap_init} sizes only IDs 1..PCI_CAP_ID_MAX: ID 0 is a
     * null capability that would clash with the header's pseudo-ID {@link #CAP_ID_BASIC}, so it is
     * hidden like an ID past the table, and its bytes stay raw.
     */
    public static int capLength(ConfigRegion hw, int id, int pos) {
        if (id == CAP_ID_BASIC) {
            return 0;
        }
        int len = tableLength(id);
        if (len != VARIABLE) {
            return len;
        }
        return switch (id) {
            case 0x05 -> { // MSI
                int flags = rd(hw, pos + 2, 2);
                yield 10 + ((flags & 0x80) != 0 ? 4 : 0) + ((flags & 0x100) != 0 ? 10 : 0);
            }
            case 0x07 -> (rd(hw, pos + 2, 2) >>> 12 & 3) != 0 ? 24 : 8; // PCI-X: version in command
            case 0x09 -> rd(hw, pos + 2, 1); // vendor: length follows next
            case 0x10 -> expLength(rd(hw, pos + EXP_FLAGS, 2));
            case 0x08 -> (rd(hw, pos + 3, 1) & 0xE0) != 0 ? 24 : 28; // HyperTransport: short / long
            case 0x12 -> (rd(hw, pos + 4, 1) & 0xF) == 0xF ? 16 : 8; // SATA: registers inline / in BAR
            default -> 0;
        };
    }

    /**
     * {@code vfio_cap_len} for PCI Express: by version and device type, from the PCI Express
     * Capabilities register ({@code pcie_caps_reg}, {@code pci_pcie_type}). A root-complex integrated
     * endpoint has no link, so its structure ends before the link registers (v1) or before Link
     * Capabilities 2 (v2); every other function's ends after Link Status (v1) or Link Status 2 (v2).
     */
    static int expLength(int flags) {
        boolean rcEnd = (flags & EXP_FLAGS_TYPE) >>> EXP_FLAGS_TYPE_SHIFT == EXP_TYPE_RC_END;
        if ((flags & EXP_FLAGS_VERS) == 1) {
            return rcEnd ? CAP_EXP_RC_ENDPOINT_SIZEOF_V1 : CAP_EXP_ENDPOINT_SIZEOF_V1;
        }
        return rcEnd ? CAP_EXP_RC_ENDPOINT_SIZEOF_V2 : CAP_EXP_ENDPOINT_SIZEOF_V2;
    }

    /** The length vfio gives an extended capability at {@code pos} (0: hidden), as {@code vfio_ext_cap_len}. */
    public static int extCapLength(ConfigRegion hw, int id, int pos) {
        int len = extTableLength(id);
        if (len != VARIABLE) {
            return len;
        }
        return switch (id) {
            case 0x0B, 0x23 -> rd(hw, pos + 4, 4) >>> 20; // VSEC, DVSEC: length in header 1
            case 0x02, 0x08, 0x09 -> vcLength(hw, pos);
            case 0x0D -> { // ACS
                int cap = rd(hw, pos + 4, 1);
                if ((cap & 0x20) != 0) {
                    int bits = rd(hw, pos + 5, 1);
                    bits = bits != 0 ? (bits + 31) / 32 * 32 : 256;
                    yield 8 + bits / 8;
                }
                yield 8;
            }
            case 0x15 -> 4 + ((rd(hw, pos + 8, 1) & 0xE0) >>> 5) * 8; // Resizable BAR
            case 0x16 -> 16 + (rd(hw, pos + 4, 1) & 0x1F) + 1; // DPA
            case 0x17 -> { // TPH
                int cap = rd(hw, pos + 4, 4);
                yield (cap & 0x600) == 0x200 ? 12 + ((cap >>> 16) & 0x7FF) * 2 + 2 : 12;
            }
            default -> 0;
        };
    }

    /** A register read that gives 0 past the end of the region (a capability cut off by the end). */
    private static int rd(ConfigRegion hw, int offset, int width) {
        return offset >= 0 && offset + width <= hw.size() ? hw.read(offset, width) : 0;
    }

    /** {@code vfio_vc_cap_len}. */
    private static int vcLength(ConfigRegion hw, int pos) {
        int evcc = rd(hw, pos + 4, 4) & 0x7;
        int cap2 = rd(hw, pos + 8, 4);
        int phases = (cap2 & 0x08) != 0 ? 128 : (cap2 & 0x04) != 0 ? 64 : (cap2 & 0x02) != 0 ? 32 : 0;
        int len = 0x10 + (1 + evcc) * 0x0C;
        int arb = phases * 4;
        if (arb != 0) {
            len = (len + 15) / 16 * 16 + arb / 8;
        }
        return len;
    }
}
