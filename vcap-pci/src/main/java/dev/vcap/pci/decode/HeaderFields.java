package dev.vcap.pci.decode;

import static dev.vcap.pci.decode.HeaderView.*;

import dev.vcap.pci.config.Header;
import dev.vcap.pci.config.Hex;

/** The header fields both header views share. */
final class HeaderFields {

    private HeaderFields() {
    }

    static FieldList common(HeaderView v) {
        FieldList f = new FieldList(v);
        f.register("Vendor ID", Header.VENDOR_ID, 2).add("Vendor ID", 0xFFFF, x -> Hex.padded(x, 4));
        f.register("Device ID", Header.DEVICE_ID, 2).add("Device ID", 0xFFFF, x -> Hex.padded(x, 4));
        f.register("Command", Header.COMMAND, 2)
                .flag("I/O Space Enable", COMMAND_IO_SPACE)
                .flag("Memory Space Enable", COMMAND_MEMORY_SPACE)
                .flag("Bus Master Enable", COMMAND_BUS_MASTER)
                .flag("Special Cycle Enable", COMMAND_SPECIAL_CYCLES)
                .flag("Memory Write and Invalidate", COMMAND_MWI_ENABLE)
                .flag("VGA Palette Snoop", COMMAND_VGA_PALETTE_SNOOP)
                .flag("Parity Error Response", COMMAND_PARITY_ERROR_RESPONSE)
                .flag("IDSEL Stepping/Wait Cycle Control", COMMAND_IDSEL_STEPPING)
                .flag("SERR# Enable", COMMAND_SERR_ENABLE)
                .flag("Fast Back-to-Back Transactions Enable", COMMAND_FAST_BACK_TO_BACK)
                .flag("Interrupt Disable", COMMAND_INTERRUPT_DISABLE);
        f.register("Status", Header.STATUS, 2)
                .flag("Immediate Readiness", STATUS_IMMEDIATE_READINESS)
                .flag("Interrupt Status", STATUS_INTERRUPT)
                .flag("Capabilities List", STATUS_CAPABILITIES_LIST)
                .flag("66 MHz Capable", STATUS_66MHZ)
                .flag("Fast Back-to-Back Transactions Capable", STATUS_FAST_BACK_TO_BACK)
                .flag("Master Data Parity Error", STATUS_MASTER_DATA_PARITY_ERROR)
                .add("DEVSEL Timing", STATUS_DEVSEL_MASK, x -> switch ((int) x) {
                    case 0 -> "fast";
                    case 1 -> "medium";
                    case 2 -> "slow";
                    default -> "reserved";
                })
                .flag("Signaled Target Abort", STATUS_SIGNALED_TARGET_ABORT)
                .flag("Received Target Abort", STATUS_RECEIVED_TARGET_ABORT)
                .flag("Received Master Abort", STATUS_RECEIVED_MASTER_ABORT)
                .flag("Signaled System Error", STATUS_SIGNALED_SYSTEM_ERROR)
                .flag("Detected Parity Error", STATUS_DETECTED_PARITY_ERROR);
        f.register("Revision ID", Header.REVISION_ID, 1).hex("Revision ID", 0xFF);
        f.register("Class Code", Header.PROG_IF, 1).hex("Programming Interface", 0xFF);
        f.register("Class Code", Header.SUBCLASS, 1).hex("Sub-Class Code", 0xFF);
        f.register("Class Code", Header.BASE_CLASS, 1).hex("Base Class Code", 0xFF);
        f.register("Cache Line Size", Header.CACHE_LINE_SIZE, 1).add("Cache Line Size", 0xFF, x -> (4 * x) + " bytes");
        f.register("Latency Timer", Header.LATENCY_TIMER, 1).number("Latency Timer", 0xFF);
        f.register("Header Type", Header.HEADER_TYPE, 1)
                .number("Header Layout", Header.HEADER_TYPE_MASK)
                .flag("Multi-Function Device", Header.HEADER_TYPE_MULTIFUNCTION);
        f.register("BIST", Header.BIST, 1)
                .number("Completion Code", BIST_COMPLETION_CODE_MASK)
                .flag("Start BIST", BIST_START)
                .flag("BIST Capable", BIST_CAPABLE);
        return f;
    }

    static void tail(FieldList f, int romRegister) {
        f.register("Capabilities Pointer", Header.CAPABILITIES_POINTER, 1).hex("Capabilities Pointer", 0xFF);
        f.register("Expansion ROM Base Address", romRegister, 4)
                .flag("Expansion ROM Enable", ROM_ENABLE)
                .add("Expansion ROM Base Address", ROM_ADDRESS_MASK, x -> String.format("0x%08x", x << 11));
        f.register("Interrupt Line", Header.INTERRUPT_LINE, 1).number("Interrupt Line", 0xFF);
        f.register("Interrupt Pin", Header.INTERRUPT_PIN, 1).add("Interrupt Pin", 0xFF,
                x -> x == 0 ? "none" : x <= 4 ? "INT" + (char) ('A' + x - 1) + "#" : "reserved (" + x + ")");
    }
}
