package dev.vcap.pci.decode;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.Hex;
import java.util.List;

/**
 * Advanced Error Reporting extended capability, ID 0x01 (PCIe base spec 7.8.4). 0x2C bytes; root
 * ports and root complex event collectors add the root error registers (to 0x38); a TLP Prefix
 * Log, when present, takes it to 0x48.
 *
 * <pre>
 *  31                                                              0
 * +-----------------------------------------------------------------+
 * |        Extended Capability Header (ID 0x0001)                   | +0x00
 * |        Uncorrectable Error Status                               | +0x04
 * |        Uncorrectable Error Mask                                 | +0x08
 * |        Uncorrectable Error Severity                             | +0x0C
 * |        Correctable Error Status                                 | +0x10
 * |        Correctable Error Mask                                   | +0x14
 * |        Advanced Error Capabilities and Control                  | +0x18
 * |        Header Log (4 dwords)                                    | +0x1C
 * |        Root Error Command          (root ports, RCECs)          | +0x2C
 * |        Root Error Status           (root ports, RCECs)          | +0x30
 * | ERR_FATAL/NONFATAL Source ID   |   ERR_COR Source ID            | +0x34
 * |        TLP Prefix Log (4 dwords)   (when present)               | +0x38
 * +-----------------------------------------------------------------+
 * </pre>
 *
 * <p>The uncorrectable registers share one bit layout ({@code UNC_*}), the correctable ones another
 * ({@code COR_*}).
 *
 * @param cs            the bytes
 * @param offset        where the capability header is
 * @param rootRegisters whether the structure has the root error registers (0x2C-0x37): true for
 *                      root ports and root complex event collectors, as the catalogue sizes it
 */
public record AerView(ConfigSpace cs, int offset, boolean rootRegisters) implements CapabilityView {

    /** A view without the root error registers (any function but a root port or event collector). */
    public AerView(ConfigSpace cs, int offset) {
        this(cs, offset, false);
    }

    public static final int UNCORRECTABLE_STATUS = 0x04;
    public static final int UNCORRECTABLE_MASK = 0x08;
    public static final int UNCORRECTABLE_SEVERITY = 0x0C;
    public static final int CORRECTABLE_STATUS = 0x10;
    public static final int CORRECTABLE_MASK = 0x14;
    public static final int CAPABILITIES_CONTROL = 0x18;
    public static final int HEADER_LOG = 0x1C;
    public static final int ROOT_ERROR_COMMAND = 0x2C;
    public static final int ROOT_ERROR_STATUS = 0x30;
    public static final int ERROR_SOURCE_ID = 0x34;
    public static final int TLP_PREFIX_LOG = 0x38;
    public static final int LOG_DWORDS = 4;

    // Uncorrectable error bits
    public static final int UNC_DATA_LINK_PROTOCOL = 1 << 4;
    public static final int UNC_SURPRISE_DOWN = 1 << 5;
    public static final int UNC_POISONED_TLP = 1 << 12;
    public static final int UNC_FLOW_CONTROL_PROTOCOL = 1 << 13;
    public static final int UNC_COMPLETION_TIMEOUT = 1 << 14;
    public static final int UNC_COMPLETER_ABORT = 1 << 15;
    public static final int UNC_UNEXPECTED_COMPLETION = 1 << 16;
    public static final int UNC_RECEIVER_OVERFLOW = 1 << 17;
    public static final int UNC_MALFORMED_TLP = 1 << 18;
    public static final int UNC_ECRC = 1 << 19;
    public static final int UNC_UNSUPPORTED_REQUEST = 1 << 20;
    public static final int UNC_ACS_VIOLATION = 1 << 21;
    public static final int UNC_INTERNAL = 1 << 22;
    public static final int UNC_MC_BLOCKED_TLP = 1 << 23;
    public static final int UNC_ATOMICOP_EGRESS_BLOCKED = 1 << 24;
    public static final int UNC_TLP_PREFIX_BLOCKED = 1 << 25;
    public static final int UNC_POISONED_TLP_EGRESS_BLOCKED = 1 << 26;

    // Correctable error bits
    public static final int COR_RECEIVER = 1;
    public static final int COR_BAD_TLP = 1 << 6;
    public static final int COR_BAD_DLLP = 1 << 7;
    public static final int COR_REPLAY_NUM_ROLLOVER = 1 << 8;
    public static final int COR_REPLAY_TIMER_TIMEOUT = 1 << 12;
    public static final int COR_ADVISORY_NON_FATAL = 1 << 13;
    public static final int COR_INTERNAL = 1 << 14;
    public static final int COR_HEADER_LOG_OVERFLOW = 1 << 15;

    // Advanced Error Capabilities and Control
    public static final int FIRST_ERROR_POINTER_MASK = 0x1F;
    public static final int ECRC_GENERATION_CAPABLE = 1 << 5;
    public static final int ECRC_GENERATION_ENABLE = 1 << 6;
    public static final int ECRC_CHECK_CAPABLE = 1 << 7;
    public static final int ECRC_CHECK_ENABLE = 1 << 8;
    public static final int MULTIPLE_HEADER_CAPABLE = 1 << 9;
    public static final int MULTIPLE_HEADER_ENABLE = 1 << 10;
    public static final int TLP_PREFIX_LOG_PRESENT = 1 << 11;
    public static final int COMPLETION_TIMEOUT_LOG_CAPABLE = 1 << 12;

    // Root Error Command
    public static final int ROOT_CMD_CORRECTABLE = 1;
    public static final int ROOT_CMD_NON_FATAL = 1 << 1;
    public static final int ROOT_CMD_FATAL = 1 << 2;

    // Root Error Status
    public static final int ROOT_STA_ERR_COR_RECEIVED = 1;
    public static final int ROOT_STA_MULTIPLE_ERR_COR = 1 << 1;
    public static final int ROOT_STA_ERR_FATAL_NONFATAL_RECEIVED = 1 << 2;
    public static final int ROOT_STA_MULTIPLE_ERR_FATAL_NONFATAL = 1 << 3;
    public static final int ROOT_STA_FIRST_UNCORRECTABLE_FATAL = 1 << 4;
    public static final int ROOT_STA_NON_FATAL_RECEIVED = 1 << 5;
    public static final int ROOT_STA_FATAL_RECEIVED = 1 << 6;
    public static final int ROOT_STA_INTERRUPT_SHIFT = 27;
    public static final int ROOT_STA_INTERRUPT_MASK = 0x1F << ROOT_STA_INTERRUPT_SHIFT;

    // Error Source Identification
    public static final int SOURCE_ERR_COR_MASK = 0xFFFF;
    public static final int SOURCE_ERR_FATAL_NONFATAL_SHIFT = 16;
    public static final int SOURCE_ERR_FATAL_NONFATAL_MASK = 0xFFFF << SOURCE_ERR_FATAL_NONFATAL_SHIFT;

    @Override
    public CapabilityKind kind() {
        return ExtendedCapability.AER;
    }

    public int uncorrectableStatus() {
        return read32(UNCORRECTABLE_STATUS);
    }

    public int uncorrectableMask() {
        return read32(UNCORRECTABLE_MASK);
    }

    public int uncorrectableSeverity() {
        return read32(UNCORRECTABLE_SEVERITY);
    }

    public int correctableStatus() {
        return read32(CORRECTABLE_STATUS);
    }

    public int correctableMask() {
        return read32(CORRECTABLE_MASK);
    }

    public int capabilitiesControl() {
        return read32(CAPABILITIES_CONTROL);
    }

    public int firstErrorPointer() {
        return capabilitiesControl() & FIRST_ERROR_POINTER_MASK;
    }

    public boolean ecrcGenerationCapable() {
        return (capabilitiesControl() & ECRC_GENERATION_CAPABLE) != 0;
    }

    public boolean ecrcCheckCapable() {
        return (capabilitiesControl() & ECRC_CHECK_CAPABLE) != 0;
    }

    public boolean tlpPrefixLogPresent() {
        return (capabilitiesControl() & TLP_PREFIX_LOG_PRESENT) != 0;
    }

    /** Header Log dword {@code i} (0-3). */
    public int headerLog(int i) {
        return i >= 0 && i < LOG_DWORDS ? read32(HEADER_LOG + 4 * i) : 0;
    }

    public int rootErrorCommand() {
        return read32(ROOT_ERROR_COMMAND);
    }

    public int rootErrorStatus() {
        return read32(ROOT_ERROR_STATUS);
    }

    public int errorSourceIdentification() {
        return read32(ERROR_SOURCE_ID);
    }

    private static void uncorrectable(FieldList.Register r) {
        r.flag("Data Link Protocol Error", UNC_DATA_LINK_PROTOCOL)
                .flag("Surprise Down Error", UNC_SURPRISE_DOWN)
                .flag("Poisoned TLP Received", UNC_POISONED_TLP)
                .flag("Flow Control Protocol Error", UNC_FLOW_CONTROL_PROTOCOL)
                .flag("Completion Timeout", UNC_COMPLETION_TIMEOUT)
                .flag("Completer Abort", UNC_COMPLETER_ABORT)
                .flag("Unexpected Completion", UNC_UNEXPECTED_COMPLETION)
                .flag("Receiver Overflow", UNC_RECEIVER_OVERFLOW)
                .flag("Malformed TLP", UNC_MALFORMED_TLP)
                .flag("ECRC Error", UNC_ECRC)
                .flag("Unsupported Request Error", UNC_UNSUPPORTED_REQUEST)
                .flag("ACS Violation", UNC_ACS_VIOLATION)
                .flag("Uncorrectable Internal Error", UNC_INTERNAL)
                .flag("MC Blocked TLP", UNC_MC_BLOCKED_TLP)
                .flag("AtomicOp Egress Blocked", UNC_ATOMICOP_EGRESS_BLOCKED)
                .flag("TLP Prefix Blocked Error", UNC_TLP_PREFIX_BLOCKED)
                .flag("Poisoned TLP Egress Blocked", UNC_POISONED_TLP_EGRESS_BLOCKED);
    }

    private static void correctable(FieldList.Register r) {
        r.flag("Receiver Error", COR_RECEIVER)
                .flag("Bad TLP", COR_BAD_TLP)
                .flag("Bad DLLP", COR_BAD_DLLP)
                .flag("REPLAY_NUM Rollover", COR_REPLAY_NUM_ROLLOVER)
                .flag("Replay Timer Timeout", COR_REPLAY_TIMER_TIMEOUT)
                .flag("Advisory Non-Fatal Error", COR_ADVISORY_NON_FATAL)
                .flag("Corrected Internal Error", COR_INTERNAL)
                .flag("Header Log Overflow", COR_HEADER_LOG_OVERFLOW);
    }

    @Override
    public List<RegisterField> fields() {
        FieldList f = new FieldList(this).extendedHeader();
        uncorrectable(f.register("Uncorrectable Error Status", UNCORRECTABLE_STATUS, 4));
        uncorrectable(f.register("Uncorrectable Error Mask", UNCORRECTABLE_MASK, 4));
        uncorrectable(f.register("Uncorrectable Error Severity", UNCORRECTABLE_SEVERITY, 4));
        correctable(f.register("Correctable Error Status", CORRECTABLE_STATUS, 4));
        correctable(f.register("Correctable Error Mask", CORRECTABLE_MASK, 4));
        f.register("Advanced Error Capabilities and Control", CAPABILITIES_CONTROL, 4)
                .number("First Error Pointer", FIRST_ERROR_POINTER_MASK)
                .flag("ECRC Generation Capable", ECRC_GENERATION_CAPABLE)
                .flag("ECRC Generation Enable", ECRC_GENERATION_ENABLE)
                .flag("ECRC Check Capable", ECRC_CHECK_CAPABLE)
                .flag("ECRC Check Enable", ECRC_CHECK_ENABLE)
                .flag("Multiple Header Recording Capable", MULTIPLE_HEADER_CAPABLE)
                .flag("Multiple Header Recording Enable", MULTIPLE_HEADER_ENABLE)
                .flag("TLP Prefix Log Present", TLP_PREFIX_LOG_PRESENT)
                .flag("Completion Timeout Prefix/Header Log Capable", COMPLETION_TIMEOUT_LOG_CAPABLE);
        for (int i = 0; i < LOG_DWORDS; i++) {
            f.register("Header Log " + i, HEADER_LOG + 4 * i, 4).whole("Header Log DW" + i);
        }
        if (rootRegisters) {
            f.register("Root Error Command", ROOT_ERROR_COMMAND, 4)
                    .flag("Correctable Error Reporting Enable", ROOT_CMD_CORRECTABLE)
                    .flag("Non-Fatal Error Reporting Enable", ROOT_CMD_NON_FATAL)
                    .flag("Fatal Error Reporting Enable", ROOT_CMD_FATAL);
            f.register("Root Error Status", ROOT_ERROR_STATUS, 4)
                    .flag("ERR_COR Received", ROOT_STA_ERR_COR_RECEIVED)
                    .flag("Multiple ERR_COR Received", ROOT_STA_MULTIPLE_ERR_COR)
                    .flag("ERR_FATAL/NONFATAL Received", ROOT_STA_ERR_FATAL_NONFATAL_RECEIVED)
                    .flag("Multiple ERR_FATAL/NONFATAL Received", ROOT_STA_MULTIPLE_ERR_FATAL_NONFATAL)
                    .flag("First Uncorrectable Fatal", ROOT_STA_FIRST_UNCORRECTABLE_FATAL)
                    .flag("Non-Fatal Error Messages Received", ROOT_STA_NON_FATAL_RECEIVED)
                    .flag("Fatal Error Messages Received", ROOT_STA_FATAL_RECEIVED)
                    .number("Advanced Error Interrupt Message Number", ROOT_STA_INTERRUPT_MASK);
            f.register("Error Source Identification", ERROR_SOURCE_ID, 4)
                    .add("ERR_COR Source Identification", SOURCE_ERR_COR_MASK, v -> Hex.padded(v, 4))
                    .add("ERR_FATAL/NONFATAL Source Identification", SOURCE_ERR_FATAL_NONFATAL_MASK,
                            v -> Hex.padded(v, 4));
        }
        if (tlpPrefixLogPresent()) {
            for (int i = 0; i < LOG_DWORDS; i++) {
                f.register("TLP Prefix Log " + i, TLP_PREFIX_LOG + 4 * i, 4).whole("TLP Prefix Log DW" + i);
            }
        }
        return f.list();
    }
}
