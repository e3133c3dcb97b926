package dev.vcap.pci.decode;

import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.Header;
import java.util.List;

/**
 * Type 1 configuration header (PCI-to-PCI bridges, switch and root ports), 64 bytes (PCIe base spec
 * 7.5.1.3).
 *
 * <pre>
 *  31            24 23            16 15              8 7            0
 * +----------------+----------------+-----------------+--------------+
 * |            Device ID            |            Vendor ID           | 0x00
 * |             Status              |             Command            | 0x04
 * |                Class Code                         | Revision ID  | 0x08
 * |      BIST      |  Header Type   |  Latency Timer  |Cache Line Sz | 0x0C
 * |        Base Address Registers 0-1                                | 0x10 .. 0x14
 * |Sec Lat Timer   | Subordinate Bus| Secondary Bus   | Primary Bus  | 0x18
 * |        Secondary Status         |   I/O Limit     |   I/O Base   | 0x1C
 * |          Memory Limit           |          Memory Base           | 0x20
 * |    Prefetchable Memory Limit    |    Prefetchable Memory Base    | 0x24
 * |        Prefetchable Base Upper 32 Bits                           | 0x28
 * |        Prefetchable Limit Upper 32 Bits                          | 0x2C
 * |     I/O Limit Upper 16 Bits     |     I/O Base Upper 16 Bits     | 0x30
 * |                  reserved                        |  Cap Pointer  | 0x34
 * |        Expansion ROM Base Address                                | 0x38
 * |         Bridge Control          |  Interrupt Pin  |Interrupt Line| 0x3C
 * +----------------+----------------+-----------------+--------------+
 *
 * I/O Base/Limit: 7:4 address bits 15:12, 3:0 addressing (0 16-bit, 1 32-bit)
 * Memory Base/Limit: 15:4 address bits 31:20
 * Prefetchable Base/Limit: 15:4 address bits 31:20, 3:0 addressing (0 32-bit, 1 64-bit)
 * </pre>
 *
 * @param cs the bytes
 */
public record Type1HeaderView(ConfigSpace cs) implements HeaderView {

    public static final int IO_ADDRESSING_MASK = 0x0F;
    public static final int IO_ADDRESS_MASK = 0xF0;
    public static final int IO_ADDRESSING_32 = 1;
    public static final int MEMORY_ADDRESS_MASK = 0xFFF0;
    public static final int PREFETCH_ADDRESSING_MASK = 0x0F;
    public static final int PREFETCH_ADDRESSING_64 = 1;

    /** Bridge Control bits. */
    public static final int BRIDGE_PARITY_ERROR_RESPONSE = 1;
    public static final int BRIDGE_SERR_ENABLE = 1 << 1;
    public static final int BRIDGE_ISA_ENABLE = 1 << 2;
    public static final int BRIDGE_VGA_ENABLE = 1 << 3;
    public static final int BRIDGE_VGA_16BIT = 1 << 4;
    public static final int BRIDGE_MASTER_ABORT_MODE = 1 << 5;
    public static final int BRIDGE_SECONDARY_BUS_RESET = 1 << 6;
    public static final int BRIDGE_FAST_BACK_TO_BACK = 1 << 7;
    public static final int BRIDGE_PRIMARY_DISCARD_TIMEOUT = 1 << 8;
    public static final int BRIDGE_SECONDARY_DISCARD_TIMEOUT = 1 << 9;
    public static final int BRIDGE_DISCARD_TIMER_STATUS = 1 << 10;
    public static final int BRIDGE_DISCARD_TIMER_SERR = 1 << 11;

    @Override
    public String name() {
        return "Type 1 Configuration Header";
    }

    @Override
    public int barCount() {
        return Header.BAR_COUNT_TYPE1;
    }

    public int primaryBus() {
        return read8(Header.PRIMARY_BUS);
    }

    public int secondaryBus() {
        return read8(Header.SECONDARY_BUS);
    }

    public int subordinateBus() {
        return read8(Header.SUBORDINATE_BUS);
    }

    public int secondaryLatencyTimer() {
        return read8(Header.SECONDARY_LATENCY);
    }

    public int secondaryStatus() {
        return read16(Header.SECONDARY_STATUS);
    }

    public boolean io32() {
        return (read8(Header.IO_BASE) & IO_ADDRESSING_MASK) == IO_ADDRESSING_32;
    }

    /** First address of the I/O window. */
    public long ioBase() {
        long base = (read8(Header.IO_BASE) & IO_ADDRESS_MASK) << 8;
        return io32() ? base | (long) read16(Header.IO_BASE_UPPER) << 16 : base;
    }

    /** Last address of the I/O window (a window is open when limit >= base). */
    public long ioLimit() {
        long limit = (read8(Header.IO_LIMIT) & IO_ADDRESS_MASK) << 8 | 0xFFF;
        return io32() ? limit | (long) read16(Header.IO_LIMIT_UPPER) << 16 : limit;
    }

    public long memoryBase() {
        return (long) (read16(Header.MEMORY_BASE) & MEMORY_ADDRESS_MASK) << 16;
    }

    public long memoryLimit() {
        return (long) (read16(Header.MEMORY_LIMIT) & MEMORY_ADDRESS_MASK) << 16 | 0xFFFFF;
    }

    public boolean prefetchable64() {
        return (read16(Header.PREFETCH_BASE) & PREFETCH_ADDRESSING_MASK) == PREFETCH_ADDRESSING_64;
    }

    public long prefetchableBase() {
        long base = (long) (read16(Header.PREFETCH_BASE) & MEMORY_ADDRESS_MASK) << 16;
        return prefetchable64() ? base | (long) read32(Header.PREFETCH_BASE_UPPER) << 32 : base;
    }

    public long prefetchableLimit() {
        long limit = (long) (read16(Header.PREFETCH_LIMIT) & MEMORY_ADDRESS_MASK) << 16 | 0xFFFFF;
        return prefetchable64() ? limit | (long) read32(Header.PREFETCH_LIMIT_UPPER) << 32 : limit;
    }

    public int expansionRom() {
        return read32(Header.ROM_ADDRESS_TYPE1);
    }

    public int bridgeControl() {
        return read16(Header.BRIDGE_CONTROL);
    }

    public boolean secondaryBusReset() {
        return (bridgeControl() & BRIDGE_SECONDARY_BUS_RESET) != 0;
    }

    @Override
    public List<RegisterField> fields() {
        FieldList f = HeaderFields.common(this);
        f.bars("Base Address Register", Header.BAR0, Header.BAR_COUNT_TYPE1);
        f.register("Primary Bus Number", Header.PRIMARY_BUS, 1).hex("Primary Bus Number", 0xFF);
        f.register("Secondary Bus Number", Header.SECONDARY_BUS, 1).hex("Secondary Bus Number", 0xFF);
        f.register("Subordinate Bus Number", Header.SUBORDINATE_BUS, 1).hex("Subordinate Bus Number", 0xFF);
        f.register("Secondary Latency Timer", Header.SECONDARY_LATENCY, 1).number("Secondary Latency Timer", 0xFF);
        f.register("I/O Base", Header.IO_BASE, 1)
                .add("I/O Addressing Capability", IO_ADDRESSING_MASK, v -> v == 0 ? "16-bit" : v == 1 ? "32-bit" : "reserved")
                .add("I/O Base Address[15:12]", IO_ADDRESS_MASK, v -> Long.toHexString(v));
        f.register("I/O Limit", Header.IO_LIMIT, 1)
                .add("I/O Addressing Capability", IO_ADDRESSING_MASK, v -> v == 0 ? "16-bit" : v == 1 ? "32-bit" : "reserved")
                .add("I/O Limit Address[15:12]", IO_ADDRESS_MASK, v -> Long.toHexString(v));
        f.register("Secondary Status", Header.SECONDARY_STATUS, 2)
                .flag("66 MHz Capable", STATUS_66MHZ)
                .flag("Fast Back-to-Back Transactions Capable", STATUS_FAST_BACK_TO_BACK)
                .flag("Master Data Parity Error", STATUS_MASTER_DATA_PARITY_ERROR)
                .number("DEVSEL Timing", STATUS_DEVSEL_MASK)
                .flag("Signaled Target Abort", STATUS_SIGNALED_TARGET_ABORT)
                .flag("Received Target Abort", STATUS_RECEIVED_TARGET_ABORT)
                .flag("Received Master Abort", STATUS_RECEIVED_MASTER_ABORT)
                .flag("Received System Error", STATUS_SIGNALED_SYSTEM_ERROR)
                .flag("Detected Parity Error", STATUS_DETECTED_PARITY_ERROR);
        f.register("Memory Base", Header.MEMORY_BASE, 2)
                .add("Memory Base Address[31:20]", MEMORY_ADDRESS_MASK, v -> String.format("0x%08x", v << 20));
        f.register("Memory Limit", Header.MEMORY_LIMIT, 2)
                .add("Memory Limit Address[31:20]", MEMORY_ADDRESS_MASK, v -> String.format("0x%08x", v << 20 | 0xFFFFF));
        f.register("Prefetchable Memory Base", Header.PREFETCH_BASE, 2)
                .add("Prefetchable Addressing", PREFETCH_ADDRESSING_MASK, v -> v == 0 ? "32-bit" : v == 1 ? "64-bit" : "reserved")
                .add("Prefetchable Base Address[31:20]", MEMORY_ADDRESS_MASK, v -> String.format("0x%08x", v << 20));
        f.register("Prefetchable Memory Limit", Header.PREFETCH_LIMIT, 2)
                .add("Prefetchable Addressing", PREFETCH_ADDRESSING_MASK, v -> v == 0 ? "32-bit" : v == 1 ? "64-bit" : "reserved")
                .add("Prefetchable Limit Address[31:20]", MEMORY_ADDRESS_MASK,
                        v -> String.format("0x%08x", v << 20 | 0xFFFFF));
        f.register("Prefetchable Base Upper 32 Bits", Header.PREFETCH_BASE_UPPER, 4)
                .whole("Prefetchable Base Upper 32 Bits");
        f.register("Prefetchable Limit Upper 32 Bits", Header.PREFETCH_LIMIT_UPPER, 4)
                .whole("Prefetchable Limit Upper 32 Bits");
        f.register("I/O Base Upper 16 Bits", Header.IO_BASE_UPPER, 2).whole("I/O Base Upper 16 Bits");
        f.register("I/O Limit Upper 16 Bits", Header.IO_LIMIT_UPPER, 2).whole("I/O Limit Upper 16 Bits");
        HeaderFields.tail(f, Header.ROM_ADDRESS_TYPE1);
        f.register("Bridge Control", Header.BRIDGE_CONTROL, 2)
                .flag("Parity Error Response Enable", BRIDGE_PARITY_ERROR_RESPONSE)
                .flag("SERR# Enable", BRIDGE_SERR_ENABLE)
                .flag("ISA Enable", BRIDGE_ISA_ENABLE)
                .flag("VGA Enable", BRIDGE_VGA_ENABLE)
                .flag("VGA 16-bit Decode", BRIDGE_VGA_16BIT)
                .flag("Master Abort Mode", BRIDGE_MASTER_ABORT_MODE)
                .flag("Secondary Bus Reset", BRIDGE_SECONDARY_BUS_RESET)
                .flag("Fast Back-to-Back Transactions Enable", BRIDGE_FAST_BACK_TO_BACK)
                .flag("Primary Discard Timeout", BRIDGE_PRIMARY_DISCARD_TIMEOUT)
                .flag("Secondary Discard Timeout", BRIDGE_SECONDARY_DISCARD_TIMEOUT)
                .flag("Discard Timer Status", BRIDGE_DISCARD_TIMER_STATUS)
                .flag("Discard Timer SERR# Enable", BRIDGE_DISCARD_TIMER_SERR);
        return f.list();
    }
}
