package dev.vcap.pci.capability;

import static dev.vcap.pci.capability.LengthRule.UNKNOWN_SIZE;
import static dev.vcap.pci.capability.LengthRule.computed;
import static dev.vcap.pci.capability.LengthRule.fixed;

import dev.vcap.pci.config.ConfigSpace;
import java.util.Optional;

/**
 * Extended capability IDs 0x01-0x34 (PCI Code and ID Assignment spec, section 3), with pciutils'
 * names and their architected lengths.
 *
 * <p>Every structure starts with the same 32-bit header:
 * <pre>
 *  31          20 19  16 15                             0
 * +--------------+------+--------------------------------+
 * | Next Offset  | Ver  |     Capability ID              |  +0
 * +--------------+------+--------------------------------+
 * </pre>
 * The next offset is dword aligned (bits 1:0 reserved); 0 ends the list. The header gives no
 * length, hence {@link #lengthRule()}.
 */
public enum ExtendedCapability implements CapabilityKind {
    AER(0x01, "AER", "Advanced Error Reporting", computed(
            "0x2C; 0x38 on a root port or event collector; 0x48 when the TLP Prefix Log is present",
            ExtendedCapability::aerLength)),
    VC(0x02, "VC", "Virtual Channel", computed(
            "0x10 + 0x0C per VC, extended to the end of the VC and port arbitration tables",
            ExtendedCapability::vcLength)),
    DSN(0x03, "DSN", "Device Serial Number", fixed(12)),
    POWER_BUDGETING(0x04, "PB", "Power Budgeting", fixed(16)),
    RC_LINK_DECLARATION(0x05, "RCLINK", "Root Complex Link", computed("0x10 + 0x10 per link entry",
            ExtendedCapability::linkDeclarationLength)),
    RC_INTERNAL_LINK_CONTROL(0x06, "RCILINK", "Root Complex Internal Link", UNKNOWN_SIZE),
    RC_EVENT_COLLECTOR(0x07, "RCEC", "Root Complex Event Collector Endpoint Association", computed(
            "8, 12 from version 2 (bus number range)", (cs, off, t) -> version(cs, off) >= 2 ? 12 : 8)),
    MFVC(0x08, "MFVC", "Multi-Function Virtual Channel", computed(
            "0x10 + 0x0C per VC, extended to the end of the arbitration tables", ExtendedCapability::vcLength)),
    VC9(0x09, "VC9", "Virtual Channel", computed(
            "as Virtual Channel (second ID, used when MFVC is present)", ExtendedCapability::vcLength)),
    RCRB(0x0A, "RCRB", "Root Complex Register Block", fixed(0x14)),
    VENDOR(0x0B, "VSEC", "Vendor Specific Information", computed("VSEC Length, bits 31:20 at +4",
            (cs, off, t) -> Registers.u32(cs, off + 4) >>> 20)),
    CONFIG_ACCESS_CORRELATION(0x0C, "CAC", "Configuration Access Correlation", UNKNOWN_SIZE),
    ACS(0x0D, "ACS", "Access Control Services", computed(
            "8, + egress control vector (size rounded up to 32 bits, 256 when 0) when Egress Control is supported",
            ExtendedCapability::acsLength)),
    ARI(0x0E, "ARI", "Alternative Routing-ID Interpretation (ARI)", fixed(8)),
    ATS(0x0F, "ATS", "Address Translation Service (ATS)", fixed(8)),
    SRIOV(0x10, "SR-IOV", "Single Root I/O Virtualization (SR-IOV)", fixed(0x40)),
    MRIOV(0x11, "MR-IOV", "Multi-Root I/O Virtualization", UNKNOWN_SIZE),
    MULTICAST(0x12, "MCAST", "Multicast", fixed(0x30)),
    PRI(0x13, "PRI", "Page Request Interface (PRI)", fixed(16)),
    RESERVED_AMD(0x14, "AMD", "Reserved for AMD", UNKNOWN_SIZE),
    RESIZABLE_BAR(0x15, "REBAR", "Resizable BAR", computed(
            "4 + 8 x Number of Resizable BARs (control bits 7:5 at +8), at least one entry",
            ExtendedCapability::rebarLength)),
    DPA(0x16, "DPA", "Dynamic Power Allocation", computed("0x10 + Substate_Max + 1",
            (cs, off, t) -> 0x10 + (Registers.u32(cs, off + 4) & 0x1F) + 1)),
    TPH(0x17, "TPH", "Transaction Processing Hints", computed(
            "0x0C, + 2 x ST Table Size entries when the table is in the capability", ExtendedCapability::tphLength)),
    LTR(0x18, "LTR", "Latency Tolerance Reporting", fixed(8)),
    SECONDARY_PCIE(0x19, "SecPCIe", "Secondary PCI Express", computed("0x0C + 2 x Max Link Width",
            (cs, off, t) -> 0x0C + dwordRound(2 * t.laneCount()))),
    PMUX(0x1A, "PMUX", "Protocol Multiplexing", UNKNOWN_SIZE),
    PASID(0x1B, "PASID", "Process Address Space ID (PASID)", fixed(8)),
    LN_REQUESTER(0x1C, "LNR", "LN Requester", fixed(8)),
    DPC(0x1D, "DPC", "Downstream Port Containment", computed(
            "0x0C; with RP Extensions 0x20 + 4 x RP PIO Log Size (at least 0x30)", ExtendedCapability::dpcLength)),
    L1PM(0x1E, "L1SS", "L1 PM Substates", fixed(0x10)),
    PTM(0x1F, "PTM", "Precision Time Measurement", fixed(0x0C)),
    M_PCIE(0x20, "M-PCIe", "PCI Express over M_PHY", UNKNOWN_SIZE),
    FRS_QUEUEING(0x21, "FRS", "FRS Queueing", fixed(0x10)),
    READINESS_TIME_REPORTING(0x22, "RTR", "Readiness Time Reporting", fixed(0x0C)),
    DVSEC(0x23, "DVSEC", "Designated Vendor-Specific", computed("DVSEC Length, bits 31:20 at +4",
            (cs, off, t) -> Registers.u32(cs, off + 4) >>> 20)),
    VF_RESIZABLE_BAR(0x24, "VF-REBAR", "VF Resizable BAR", computed(
            "4 + 8 x Number of VF Resizable BARs, at least one entry", ExtendedCapability::rebarLength)),
    DATA_LINK_FEATURE(0x25, "DLF", "Data Link Feature", fixed(0x0C)),
    PHYSICAL_LAYER_16(0x26, "PL16", "Physical Layer 16.0 GT/s", computed("0x20 + 1 per lane, dword rounded",
            (cs, off, t) -> 0x20 + dwordRound(t.laneCount()))),
    LANE_MARGINING(0x27, "LMR", "Lane Margining at the Receiver", computed("8 + 4 per lane",
            (cs, off, t) -> 8 + 4 * t.laneCount())),
    HIERARCHY_ID(0x28, "HierID", "Hierarchy ID", UNKNOWN_SIZE),
    NPEM(0x29, "NPEM", "Native PCIe Enclosure Management", fixed(0x10)),
    PHYSICAL_LAYER_32(0x2A, "PL32", "Physical Layer 32.0 GT/s", computed("0x20 + 1 per lane, dword rounded",
            (cs, off, t) -> 0x20 + dwordRound(t.laneCount()))),
    ALTERNATE_PROTOCOL(0x2B, "AltProt", "Alternate Protocol", UNKNOWN_SIZE),
    SFI(0x2C, "SFI", "System Firmware Intermediary", UNKNOWN_SIZE),
    SHADOW_FUNCTIONS(0x2D, "Shadow", "Shadow Functions", UNKNOWN_SIZE),
    DOE(0x2E, "DOE", "Data Object Exchange", fixed(0x18)),
    DEVICE_3(0x2F, "Dev3", "Device 3", fixed(0x10)),
    IDE(0x30, "IDE", "Integrity & Data Encryption", computed(
            "0x0C + 8 per link IDE TC + per selective stream 0x14 + 0x0C per address block", ExtendedCapability::ideLength)),
    PHYSICAL_LAYER_64(0x31, "PL64", "Physical Layer 64.0 GT/s", computed("0x10 + 1 per lane, dword rounded",
            (cs, off, t) -> 0x10 + dwordRound(t.laneCount()))),
    FLIT_LOGGING(0x32, "FlitLog", "Flit Logging", UNKNOWN_SIZE),
    FLIT_PERFORMANCE(0x33, "FlitPerf", "Flit Performance Measurement", UNKNOWN_SIZE),
    FLIT_ERROR_INJECTION(0x34, "FlitEI", "Flit Error Injection", UNKNOWN_SIZE);

    /**
     * Header field layout: ID bits 15:0, version bits 19:16, next offset bits 31:20.
     */
    public static final int ID_MASK = 0xFFFF;
    public static final int VERSION_SHIFT = 16;
    public static final int VERSION_MASK = 0xF;
    public static final int NEXT_SHIFT = 20;
    /** The next offset with its reserved low bits cleared. */
    public static final int NEXT_MASK = 0xFFC;

    private static final ExtendedCapability[] BY_ID = new ExtendedCapability[0x35];

    static {
        for (ExtendedCapability c : values()) {
            BY_ID[c.id] = c;
        }
    }

    private final int id;
    private final String abbreviation;
    private final String displayName;
    private final LengthRule lengthRule;

    ExtendedCapability(int id, String abbreviation, String displayName, LengthRule lengthRule) {
        this.id = id;
        this.abbreviation = abbreviation;
        this.displayName = displayName;
        this.lengthRule = lengthRule;
    }

    public static Optional<ExtendedCapability> byId(int id) {
        return id >= 0 && id < BY_ID.length ? Optional.ofNullable(BY_ID[id]) : Optional.empty();
    }

    /** Builds a header dword. */
    public static int header(int id, int version, int next) {
        return (next & NEXT_MASK) << NEXT_SHIFT | (version & VERSION_MASK) << VERSION_SHIFT | id & ID_MASK;
    }

    public static int headerId(int header) {
        return header & ID_MASK;
    }

    public static int headerVersion(int header) {
        return header >>> VERSION_SHIFT & VERSION_MASK;
    }

    /** The next offset, reserved bits cleared. */
    public static int headerNext(int header) {
        return header >>> NEXT_SHIFT & NEXT_MASK;
    }

    @Override
    public CapabilitySpace space() {
        return CapabilitySpace.EXTENDED;
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

    private static int version(ConfigSpace cs, int off) {
        return headerVersion(Registers.u32(cs, off));
    }

    private static int dwordRound(int bytes) {
        return bytes + 3 & ~3;
    }

    private static int aerLength(ConfigSpace cs, int off, DeviceTraits t) {
        boolean prefixLog = (Registers.u32(cs, off + 0x18) & 1 << 11) != 0;
        if (prefixLog) {
            return 0x48;
        }
        return t.isRootPortOrCollector() ? 0x38 : 0x2C;
    }

    /** Phases an arbitration capability field supports: the largest table it names. */
    private static int phases(int arbitrationCapability, int[] phasesPerBit) {
        int phases = 0;
        for (int bit = 0; bit < phasesPerBit.length; bit++) {
            if ((arbitrationCapability & 1 << bit) != 0) {
                phases = Math.max(phases, phasesPerBit[bit]);
            }
        }
        return phases;
    }

    // VC arbitration capability bits: 0 hardware fixed, 1 WRR 32, 2 WRR 64, 3 WRR 128 phases
    private static final int[] VC_ARB_PHASES = {0, 32, 64, 128};
    // Port arbitration capability bits: 0 fixed, 1 WRR 32, 2 WRR 64, 3 WRR 128, 4 TWRR 128, 5 WRR 256
    private static final int[] PORT_ARB_PHASES = {0, 32, 64, 128, 128, 256};

    private static int vcLength(ConfigSpace cs, int off, DeviceTraits t) {
        int cap1 = Registers.u32(cs, off + 4);
        int cap2 = Registers.u32(cs, off + 8);
        int evcc = cap1 & 0x7;
        int entryBits = 1 << (cap1 >>> 10 & 0x3);
        int length = 0x10 + (evcc + 1) * 0x0C;
        int vcArbOffset = (cap2 >>> 24 & 0xFF) * 16;
        if (vcArbOffset != 0) {
            length = Math.max(length, vcArbOffset + phases(cap2 & 0xFF, VC_ARB_PHASES) * 4 / 8);
        }
        for (int vc = 0; vc <= evcc; vc++) {
            int resourceCap = Registers.u32(cs, off + 0x10 + vc * 0x0C);
            int portArbOffset = (resourceCap >>> 24 & 0xFF) * 16;
            if (portArbOffset != 0) {
                length = Math.max(length, portArbOffset + phases(resourceCap & 0xFF, PORT_ARB_PHASES) * entryBits / 8);
            }
        }
        return dwordRound(length);
    }

    private static int linkDeclarationLength(ConfigSpace cs, int off, DeviceTraits t) {
        int entries = Registers.u32(cs, off + 4) >>> 8 & 0xFF;
        return 0x10 + 0x10 * entries;
    }

    private static int acsLength(ConfigSpace cs, int off, DeviceTraits t) {
        int cap = Registers.u16(cs, off + 4);
        if ((cap & 1 << 5) == 0) {
            return 8;
        }
        int bits = cap >>> 8 & 0xFF;
        bits = bits == 0 ? 256 : (bits + 31) / 32 * 32;
        return 8 + bits / 8;
    }

    /**
     * The count lives in the first entry's control register (+8), so the first entry is always
     * there: a count of 0 (out of spec; lspci reports it as an error) still leaves 12 bytes.
     */
    private static int rebarLength(ConfigSpace cs, int off, DeviceTraits t) {
        int count = Registers.u32(cs, off + 8) >>> 5 & 0x7;
        return 4 + 8 * Math.max(1, count);
    }

    private static int tphLength(ConfigSpace cs, int off, DeviceTraits t) {
        int cap = Registers.u32(cs, off + 4);
        int location = cap >>> 9 & 0x3;
        if (location != 1) {
            return 0x0C;
        }
        int entries = (cap >>> 16 & 0x7FF) + 1;
        return dwordRound(0x0C + 2 * entries);
    }

    private static int dpcLength(ConfigSpace cs, int off, DeviceTraits t) {
        int cap = Registers.u16(cs, off + 4);
        if ((cap & 1 << 5) == 0) {
            return 0x0C;
        }
        int logDwords = cap >>> 8 & 0xF;
        return Math.max(0x30, 0x20 + 4 * logDwords);
    }

    private static int ideLength(ConfigSpace cs, int off, DeviceTraits t) {
        int cap = Registers.u32(cs, off + 4);
        int linkTcs = (cap & 1) != 0 ? (cap >>> 13 & 0x7) + 1 : 0;
        int streams = (cap & 2) != 0 ? (cap >>> 16 & 0xFF) + 1 : 0;
        int pos = off + 0x0C + 8 * linkTcs;
        for (int i = 0; i < streams && pos < ConfigSpace.EXTENDED_SIZE; i++) {
            int blocks = Registers.u32(cs, pos) & 0xF;
            pos += 0x14 + 0x0C * blocks;
        }
        return pos - off;
    }
}
