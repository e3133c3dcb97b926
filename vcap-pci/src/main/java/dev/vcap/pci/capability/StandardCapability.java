package dev.vcap.pci.capability;

import static dev.vcap.pci.capability.LengthRule.computed;
import static dev.vcap.pci.capability.LengthRule.fixed;

import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.Header;
import java.util.Optional;

/**
 * Standard (conventional-space) capability IDs 0x01-0x15 (PCI Code and ID Assignment spec,
 * section 2), with pciutils' names and their architected lengths.
 *
 * <p>Every structure starts with the same two bytes:
 * <pre>
 *  15            8 7             0
 * +---------------+---------------+
 * | Next Pointer  |  Capability ID|   +0  (next: bits 1:0 reserved, masked by software)
 * +---------------+---------------+
 * </pre>
 */
public enum StandardCapability implements CapabilityKind {
    PM(0x01, "PM", "Power Management", fixed(8)),
    AGP(0x02, "AGP", "AGP", fixed(12)),
    VPD(0x03, "VPD", "Vital Product Data", fixed(8)),
    SLOT_ID(0x04, "SLOTID", "Slot ID", fixed(4)),
    MSI(0x05, "MSI", "MSI", computed("10, +4 with 64-bit addresses, +10 with per-vector masking;"
            + " +2 for Extended Message Data without per-vector masking", StandardCapability::msiLength)),
    COMPACT_PCI_HOT_SWAP(0x06, "CHSWP", "CompactPCI hot-swap", fixed(4)),
    PCIX(0x07, "PCI-X", "PCI-X", computed("bridge 16; device 8, or 24 for PCI-X 2.0 (ECC)",
            StandardCapability::pcixLength)),
    HYPERTRANSPORT(0x08, "HT", "HyperTransport", LengthRule.UNKNOWN_SIZE),
    VENDOR(0x09, "VNDR", "Vendor Specific Information", computed("byte at +2", (cs, off, t) -> Registers.u8(cs, off + 2))),
    DEBUG_PORT(0x0A, "DBG", "Debug port", fixed(4)),
    COMPACT_PCI_CRC(0x0B, "CCRC", "CompactPCI central resource control", LengthRule.UNKNOWN_SIZE),
    HOT_PLUG(0x0C, "SHPC", "Hot-plug capable", fixed(8)),
    SUBSYSTEM_VENDOR(0x0D, "SSVID", "Subsystem", fixed(8)),
    AGP3(0x0E, "AGP3", "AGP3", LengthRule.UNKNOWN_SIZE),
    SECURE_DEVICE(0x0F, "SECDEV", "Secure device", LengthRule.UNKNOWN_SIZE),
    PCI_EXPRESS(0x10, "EXP", "Express", computed("version 2+: 0x3C; version 1: root port or root-complex event"
            + " collector 0x24, downstream port 0x1C, root-complex integrated endpoint 0x0C, other functions 0x14",
            StandardCapability::pcieLength)),
    MSIX(0x11, "MSI-X", "MSI-X", fixed(12)),
    SATA(0x12, "SATA", "SATA HBA", computed("16 when the registers are in the capability (BAR location 0xF), else 8",
            (cs, off, t) -> (Registers.u8(cs, off + 4) & 0xF) == 0xF ? 16 : 8)),
    ADVANCED_FEATURES(0x13, "AF", "PCI Advanced Features", fixed(6)),
    ENHANCED_ALLOCATION(0x14, "EA", "Enhanced Allocation (EA)", computed(
            "4 (+4 on a bridge) + each entry's 4 + 4 x entry size", StandardCapability::eaLength)),
    FLATTENING_PORTAL_BRIDGE(0x15, "FPB", "Flattening Portal Bridge", LengthRule.UNKNOWN_SIZE);

    /** Offset of the Capability ID byte. */
    public static final int ID = 0;
    /** Offset of the next pointer byte. */
    public static final int NEXT = 1;
    /** Low two bits of a next pointer are reserved. */
    public static final int POINTER_MASK = 0xFC;

    private static final StandardCapability[] BY_ID = new StandardCapability[0x16];

    static {
        for (StandardCapability c : values()) {
            BY_ID[c.id] = c;
        }
    }

    private final int id;
    private final String abbreviation;
    private final String displayName;
    private final LengthRule lengthRule;

    StandardCapability(int id, String abbreviation, String displayName, LengthRule lengthRule) {
        this.id = id;
        this.abbreviation = abbreviation;
        this.displayName = displayName;
        this.lengthRule = lengthRule;
    }

    public static Optional<StandardCapability> byId(int id) {
        return id >= 0 && id < BY_ID.length ? Optional.ofNullable(BY_ID[id]) : Optional.empty();
    }

    @Override
    public CapabilitySpace space() {
        return CapabilitySpace.STANDARD;
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public String abbreviation() {
        return abbreviation;
    }

    @Override
    public String displayName() {
        return displayName;
    }

    @Override
    public LengthRule lengthRule() {
        return lengthRule;
    }

    /**
     * The version a standard capability carries in its own registers, or -1: PM (PMC bits 2:0),
     * PCI Express (flags bits 3:0), PCI-X (command bits 13:12 on a device).
     */
    public int version(ConfigSpace cs, int offset) {
        return switch (this) {
            case PM -> Registers.u16(cs, offset + 2) & 0x7;
            case PCI_EXPRESS -> Registers.u16(cs, offset + 2) & 0xF;
            default -> -1;
        };
    }

    /**
     * Message Data ends the structure at 0x0A (0x0E with 64-bit addresses). Per-vector masking adds
     * the Mask and Pending Bits after a reserved word; with Extended Message Data Capable (Message
     * Control bit 9, PCIe 4.0 and later) that word is the Extended Message Data register, so a
     * function that has it but no masking is 2 bytes longer.
     */
    private static int msiLength(ConfigSpace cs, int off, DeviceTraits t) {
        int flags = Registers.u16(cs, off + 2);
        int length = 10 + ((flags & 0x80) != 0 ? 4 : 0);
        if ((flags & 0x100) != 0) {
            return length + 10;
        }
        return (flags & 0x200) != 0 ? length + 2 : length;
    }

    private static int pcixLength(ConfigSpace cs, int off, DeviceTraits t) {
        if (t.headerType() == Header.TYPE_BRIDGE) {
            return 16;
        }
        return (Registers.u16(cs, off + 2) >>> 12 & 0x3) != 0 ? 24 : 8;
    }

    /**
     * Version 2 made every register slot architected (reserved where it does not apply), so the
     * structure is always 0x3C bytes. Version 1 structures end after the last register the
     * function type has: link (0x14), slot (0x1C) or root (0x24) registers. Root complex event
     * collectors have no link or slot registers but do have the root registers (they report PME
     * through Root Status), so they end at 0x24 like root ports.
     */
    private static int pcieLength(ConfigSpace cs, int off, DeviceTraits t) {
        int flags = Registers.u16(cs, off + 2);
        if ((flags & 0xF) >= 2) {
            return 0x3C;
        }
        return switch (flags >>> 4 & 0xF) {
            case DeviceTraits.PCIE_ROOT_PORT, DeviceTraits.PCIE_RC_EVENT_COLLECTOR -> 0x24;
            case DeviceTraits.PCIE_DOWNSTREAM_PORT, DeviceTraits.PCIE_PCI_TO_PCIE_BRIDGE -> 0x1C;
            case DeviceTraits.PCIE_RC_INTEGRATED_ENDPOINT -> 0x0C;
            default -> 0x14;
        };
    }

    private static int eaLength(ConfigSpace cs, int off, DeviceTraits t) {
        int entries = Registers.u8(cs, off + 2) & 0x3F;
        int pos = off + 4 + (t.headerType() == Header.TYPE_BRIDGE ? 4 : 0);
        for (int i = 0; i < entries && pos < ConfigSpace.CONVENTIONAL_SIZE; i++) {
            pos += 4 + 4 * (Registers.u32(cs, pos) & 0x7);
        }
        return pos - off;
    }
}
