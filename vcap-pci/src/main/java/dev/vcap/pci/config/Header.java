package dev.vcap.pci.config;

/**
 * Register offsets and bits of the configuration header (PCI Local Bus 3.0 / PCIe base spec, 7.5.1).
 *
 * <pre>
 *  31            16 15             0
 * +----------------+----------------+
 * |   Device ID    |   Vendor ID    | 0x00
 * +----------------+----------------+
 * |     Status     |    Command     | 0x04
 * +----------------+--------+-------+
 * |   Class Code (24)       |  Rev  | 0x08   class = base:sub:prog-if
 * +------+--------+---------+-------+
 * | BIST | HdrTyp | LatTmr  | CLS   | 0x0C   header type bit 7 = multi-function
 * +------+--------+---------+-------+
 * |  type 0: BAR0..BAR5 (0x10-0x27), CardBus CIS (0x28),          |
 * |  Subsystem Vendor (0x2C), Subsystem ID (0x2E), ROM (0x30)      |
 * |  type 1: BAR0..1, bus numbers (0x18-0x1B), windows, ROM (0x38)  |
 * +-------------------------+-------+
 * |        reserved         |CapPtr | 0x34   (0x14 on a type 2 CardBus bridge)
 * +------+--------+---------+-------+
 * |MaxLat|MinGnt  | IntPin  |IntLine| 0x3C   (type 1: Bridge Control at 0x3E)
 * +------+--------+---------+-------+
 * </pre>
 */
public final class Header {

    public static final int VENDOR_ID = 0x00;
    public static final int DEVICE_ID = 0x02;
    public static final int COMMAND = 0x04;
    public static final int STATUS = 0x06;
    public static final int REVISION_ID = 0x08;
    public static final int PROG_IF = 0x09;
    public static final int SUBCLASS = 0x0A;
    public static final int BASE_CLASS = 0x0B;
    public static final int CACHE_LINE_SIZE = 0x0C;
    public static final int LATENCY_TIMER = 0x0D;
    public static final int HEADER_TYPE = 0x0E;
    public static final int BIST = 0x0F;
    public static final int BAR0 = 0x10;
    public static final int BAR_COUNT_TYPE0 = 6;
    public static final int BAR_COUNT_TYPE1 = 2;
    public static final int CARDBUS_CIS = 0x28;
    public static final int SUBSYSTEM_VENDOR_ID = 0x2C;
    public static final int SUBSYSTEM_ID = 0x2E;
    public static final int ROM_ADDRESS_TYPE0 = 0x30;
    public static final int CAPABILITIES_POINTER = 0x34;
    /** Where a CardBus (type 2) bridge keeps its capability pointer. */
    public static final int CAPABILITIES_POINTER_CARDBUS = 0x14;
    public static final int INTERRUPT_LINE = 0x3C;
    public static final int INTERRUPT_PIN = 0x3D;
    public static final int MIN_GNT = 0x3E;
    public static final int MAX_LAT = 0x3F;

    // type 1 (PCI-to-PCI bridge)
    public static final int PRIMARY_BUS = 0x18;
    public static final int SECONDARY_BUS = 0x19;
    public static final int SUBORDINATE_BUS = 0x1A;
    public static final int SECONDARY_LATENCY = 0x1B;
    public static final int IO_BASE = 0x1C;
    public static final int IO_LIMIT = 0x1D;
    public static final int SECONDARY_STATUS = 0x1E;
    public static final int MEMORY_BASE = 0x20;
    public static final int MEMORY_LIMIT = 0x22;
    public static final int PREFETCH_BASE = 0x24;
    public static final int PREFETCH_LIMIT = 0x26;
    public static final int PREFETCH_BASE_UPPER = 0x28;
    public static final int PREFETCH_LIMIT_UPPER = 0x2C;
    public static final int IO_BASE_UPPER = 0x30;
    public static final int IO_LIMIT_UPPER = 0x32;
    public static final int ROM_ADDRESS_TYPE1 = 0x38;
    public static final int BRIDGE_CONTROL = 0x3E;

    /** Status bit 4: a capability list is present. */
    public static final int STATUS_CAPABILITY_LIST = 1 << 4;
    /** Header type bits 6:0. */
    public static final int HEADER_TYPE_MASK = 0x7F;
    /** Header type bit 7: the device has more than one function. */
    public static final int HEADER_TYPE_MULTIFUNCTION = 0x80;

    public static final int TYPE_NORMAL = 0;
    public static final int TYPE_BRIDGE = 1;
    public static final int TYPE_CARDBUS = 2;

    /** A register read no function answered: config reads of an absent function return all ones. */
    private static final int NO_ANSWER_U8 = 0xFF;
    private static final int NO_ANSWER_U16 = 0xFFFF;

    private Header() {
    }

    /**
     * True when no function answered: the Vendor ID reads 0xFFFF (lspci's "Illegal Vendor ID"; an
     * all-ones ID dword is "no device" to Linux's {@code pci_bus_generic_read_dev_vendor_id}) and so
     * does the Header Type byte (lspci: "Unknown header type 7f"). A VF's Vendor ID reads 0xFFFF too
     * (the PCI core supplies its IDs) but its header type is 0: it answers.
     */
    public static boolean notResponding(ConfigSpace cs) {
        return cs.u16(VENDOR_ID) == NO_ANSWER_U16 && cs.u8(HEADER_TYPE) == NO_ANSWER_U8;
    }

    /** Header layout, bits 6:0 of the header type register. */
    public static int type(ConfigSpace cs) {
        return cs.u8(HEADER_TYPE) & HEADER_TYPE_MASK;
    }

    /** Where the capability pointer is for this header type. */
    public static int capabilityPointerOffset(ConfigSpace cs) {
        return type(cs) == TYPE_CARDBUS ? CAPABILITIES_POINTER_CARDBUS : CAPABILITIES_POINTER;
    }

    /** The 24-bit class code: base class, subclass, programming interface. */
    public static int classCode(ConfigSpace cs) {
        return cs.u8(BASE_CLASS) << 16 | cs.u8(SUBCLASS) << 8 | cs.u8(PROG_IF);
    }

    /** True when the status register announces a capability list. */
    public static boolean hasCapabilityList(ConfigSpace cs) {
        return (cs.u16(STATUS) & STATUS_CAPABILITY_LIST) != 0;
    }
}
