package dev.vcap.pci.decode;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.Hex;
import java.util.List;

/**
 * PCI Express capability, ID 0x10 (PCIe base spec 7.5.3). Version 2 structures are 0x3C bytes with
 * every register present (reserved where it does not apply to the Device/Port Type); version 1
 * structures end after the last register group the function has.
 *
 * <pre>
 *  31                            16 15              8 7            0
 * +--------------------------------+-----------------+--------------+
 * |  PCI Express Capabilities      |    Next Ptr     |   ID 0x10    | +0x00
 * +--------------------------------+-----------------+--------------+
 * |        Device Capabilities                                      | +0x04
 * |        Device Status           |        Device Control          | +0x08
 * |        Link Capabilities                                        | +0x0C  (functions with a link)
 * |        Link Status             |        Link Control            | +0x10
 * |        Slot Capabilities                                        | +0x14  (ports with a slot)
 * |        Slot Status             |        Slot Control            | +0x18
 * |        Root Capabilities       |        Root Control            | +0x1C  (root ports, RCECs)
 * |        Root Status                                              | +0x20
 * |        Device Capabilities 2                                    | +0x24  (version 2)
 * |        Device Status 2         |        Device Control 2        | +0x28
 * |        Link Capabilities 2                                      | +0x2C
 * |        Link Status 2           |        Link Control 2          | +0x30
 * |        Slot Capabilities 2                                      | +0x34
 * |        Slot Status 2           |        Slot Control 2          | +0x38
 * +-----------------------------------------------------------------+
 *
 * PCI Express Capabilities: 15 Flit Mode Supported, 13:9 Interrupt Message Number,
 *   8 Slot Implemented, 7:4 Device/Port Type, 3:0 Capability Version
 * </pre>
 *
 * <p>Constants are named after their register: {@code DEVCAP_*} are bits of Device Capabilities,
 * {@code LNKSTA_*} of Link Status, and so on (the abbreviations lspci and Linux use).
 *
 * @param cs     the bytes
 * @param offset where the capability is
 */
public record PcieView(ConfigSpace cs, int offset) implements CapabilityView {

    // PCI Express Capabilities register, 16 bits
    public static final int FLAGS = 0x02;
    public static final int FLAGS_VERSION_MASK = 0xF;
    public static final int FLAGS_TYPE_SHIFT = 4;
    public static final int FLAGS_TYPE_MASK = 0xF << FLAGS_TYPE_SHIFT;
    public static final int FLAGS_SLOT_IMPLEMENTED = 1 << 8;
    public static final int FLAGS_INTERRUPT_SHIFT = 9;
    public static final int FLAGS_INTERRUPT_MASK = 0x1F << FLAGS_INTERRUPT_SHIFT;
    public static final int FLAGS_FLIT_MODE = 1 << 15;

    // Device Capabilities, 32 bits
    public static final int DEVCAP = 0x04;
    public static final int DEVCAP_MAX_PAYLOAD_MASK = 0x7;
    public static final int DEVCAP_PHANTOM_SHIFT = 3;
    public static final int DEVCAP_PHANTOM_MASK = 0x3 << DEVCAP_PHANTOM_SHIFT;
    public static final int DEVCAP_EXTENDED_TAG = 1 << 5;
    public static final int DEVCAP_L0S_LATENCY_SHIFT = 6;
    public static final int DEVCAP_L0S_LATENCY_MASK = 0x7 << DEVCAP_L0S_LATENCY_SHIFT;
    public static final int DEVCAP_L1_LATENCY_SHIFT = 9;
    public static final int DEVCAP_L1_LATENCY_MASK = 0x7 << DEVCAP_L1_LATENCY_SHIFT;
    public static final int DEVCAP_ATTENTION_BUTTON = 1 << 12;
    public static final int DEVCAP_ATTENTION_INDICATOR = 1 << 13;
    public static final int DEVCAP_POWER_INDICATOR = 1 << 14;
    public static final int DEVCAP_ROLE_BASED_ERROR = 1 << 15;
    public static final int DEVCAP_ERR_COR_SUBCLASS = 1 << 16;
    public static final int DEVCAP_SLOT_POWER_VALUE_SHIFT = 18;
    public static final int DEVCAP_SLOT_POWER_VALUE_MASK = 0xFF << DEVCAP_SLOT_POWER_VALUE_SHIFT;
    public static final int DEVCAP_SLOT_POWER_SCALE_SHIFT = 26;
    public static final int DEVCAP_SLOT_POWER_SCALE_MASK = 0x3 << DEVCAP_SLOT_POWER_SCALE_SHIFT;
    public static final int DEVCAP_FLR = 1 << 28;

    // Device Control, 16 bits
    public static final int DEVCTL = 0x08;
    public static final int DEVCTL_CORRECTABLE_ERROR = 1;
    public static final int DEVCTL_NON_FATAL_ERROR = 1 << 1;
    public static final int DEVCTL_FATAL_ERROR = 1 << 2;
    public static final int DEVCTL_UNSUPPORTED_REQUEST = 1 << 3;
    public static final int DEVCTL_RELAXED_ORDERING = 1 << 4;
    public static final int DEVCTL_MAX_PAYLOAD_SHIFT = 5;
    public static final int DEVCTL_MAX_PAYLOAD_MASK = 0x7 << DEVCTL_MAX_PAYLOAD_SHIFT;
    public static final int DEVCTL_EXTENDED_TAG = 1 << 8;
    public static final int DEVCTL_PHANTOM = 1 << 9;
    public static final int DEVCTL_AUX_POWER_PM = 1 << 10;
    public static final int DEVCTL_NO_SNOOP = 1 << 11;
    public static final int DEVCTL_MAX_READ_REQUEST_SHIFT = 12;
    public static final int DEVCTL_MAX_READ_REQUEST_MASK = 0x7 << DEVCTL_MAX_READ_REQUEST_SHIFT;
    public static final int DEVCTL_BRIDGE_RETRY_OR_FLR = 1 << 15;

    // Device Status, 16 bits
    public static final int DEVSTA = 0x0A;
    public static final int DEVSTA_CORRECTABLE_ERROR = 1;
    public static final int DEVSTA_NON_FATAL_ERROR = 1 << 1;
    public static final int DEVSTA_FATAL_ERROR = 1 << 2;
    public static final int DEVSTA_UNSUPPORTED_REQUEST = 1 << 3;
    public static final int DEVSTA_AUX_POWER = 1 << 4;
    public static final int DEVSTA_TRANSACTIONS_PENDING = 1 << 5;
    public static final int DEVSTA_EMERGENCY_POWER_REDUCTION = 1 << 6;

    // Link Capabilities, 32 bits
    public static final int LNKCAP = 0x0C;
    public static final int LNKCAP_MAX_SPEED_MASK = 0xF;
    public static final int LNKCAP_MAX_WIDTH_SHIFT = 4;
    public static final int LNKCAP_MAX_WIDTH_MASK = 0x3F << LNKCAP_MAX_WIDTH_SHIFT;
    public static final int LNKCAP_ASPM_SHIFT = 10;
    public static final int LNKCAP_ASPM_MASK = 0x3 << LNKCAP_ASPM_SHIFT;
    public static final int LNKCAP_L0S_EXIT_SHIFT = 12;
    public static final int LNKCAP_L0S_EXIT_MASK = 0x7 << LNKCAP_L0S_EXIT_SHIFT;
    public static final int LNKCAP_L1_EXIT_SHIFT = 15;
    public static final int LNKCAP_L1_EXIT_MASK = 0x7 << LNKCAP_L1_EXIT_SHIFT;
    public static final int LNKCAP_CLOCK_PM = 1 << 18;
    public static final int LNKCAP_SURPRISE_DOWN = 1 << 19;
    public static final int LNKCAP_DLL_ACTIVE_REPORTING = 1 << 20;
    public static final int LNKCAP_BANDWIDTH_NOTIFICATION = 1 << 21;
    public static final int LNKCAP_ASPM_OPTIONALITY = 1 << 22;
    public static final int LNKCAP_PORT_SHIFT = 24;
    public static final int LNKCAP_PORT_MASK = 0xFF << LNKCAP_PORT_SHIFT;

    // Link Control, 16 bits
    public static final int LNKCTL = 0x10;
    public static final int LNKCTL_ASPM_MASK = 0x3;
    public static final int LNKCTL_RCB = 1 << 3;
    public static final int LNKCTL_LINK_DISABLE = 1 << 4;
    public static final int LNKCTL_RETRAIN = 1 << 5;
    public static final int LNKCTL_COMMON_CLOCK = 1 << 6;
    public static final int LNKCTL_EXTENDED_SYNCH = 1 << 7;
    public static final int LNKCTL_CLOCK_PM = 1 << 8;
    public static final int LNKCTL_HW_AUTONOMOUS_WIDTH_DISABLE = 1 << 9;
    public static final int LNKCTL_BANDWIDTH_MANAGEMENT_INTERRUPT = 1 << 10;
    public static final int LNKCTL_AUTONOMOUS_BANDWIDTH_INTERRUPT = 1 << 11;
    public static final int LNKCTL_DRS_SIGNALING_SHIFT = 14;
    public static final int LNKCTL_DRS_SIGNALING_MASK = 0x3 << LNKCTL_DRS_SIGNALING_SHIFT;

    // Link Status, 16 bits
    public static final int LNKSTA = 0x12;
    public static final int LNKSTA_SPEED_MASK = 0xF;
    public static final int LNKSTA_WIDTH_SHIFT = 4;
    public static final int LNKSTA_WIDTH_MASK = 0x3F << LNKSTA_WIDTH_SHIFT;
    public static final int LNKSTA_TRAINING = 1 << 11;
    public static final int LNKSTA_SLOT_CLOCK = 1 << 12;
    public static final int LNKSTA_DLL_ACTIVE = 1 << 13;
    public static final int LNKSTA_BANDWIDTH_MANAGEMENT = 1 << 14;
    public static final int LNKSTA_AUTONOMOUS_BANDWIDTH = 1 << 15;

    // Slot Capabilities, 32 bits
    public static final int SLTCAP = 0x14;
    public static final int SLTCAP_ATTENTION_BUTTON = 1;
    public static final int SLTCAP_POWER_CONTROLLER = 1 << 1;
    public static final int SLTCAP_MRL_SENSOR = 1 << 2;
    public static final int SLTCAP_ATTENTION_INDICATOR = 1 << 3;
    public static final int SLTCAP_POWER_INDICATOR = 1 << 4;
    public static final int SLTCAP_HOT_PLUG_SURPRISE = 1 << 5;
    public static final int SLTCAP_HOT_PLUG_CAPABLE = 1 << 6;
    public static final int SLTCAP_POWER_VALUE_SHIFT = 7;
    public static final int SLTCAP_POWER_VALUE_MASK = 0xFF << SLTCAP_POWER_VALUE_SHIFT;
    public static final int SLTCAP_POWER_SCALE_SHIFT = 15;
    public static final int SLTCAP_POWER_SCALE_MASK = 0x3 << SLTCAP_POWER_SCALE_SHIFT;
    public static final int SLTCAP_INTERLOCK = 1 << 17;
    public static final int SLTCAP_NO_COMMAND_COMPLETED = 1 << 18;
    public static final int SLTCAP_SLOT_NUMBER_SHIFT = 19;
    public static final int SLTCAP_SLOT_NUMBER_MASK = 0x1FFF << SLTCAP_SLOT_NUMBER_SHIFT;

    // Slot Control, 16 bits
    public static final int SLTCTL = 0x18;
    public static final int SLTCTL_ATTENTION_BUTTON_ENABLE = 1;
    public static final int SLTCTL_POWER_FAULT_ENABLE = 1 << 1;
    public static final int SLTCTL_MRL_SENSOR_ENABLE = 1 << 2;
    public static final int SLTCTL_PRESENCE_DETECT_ENABLE = 1 << 3;
    public static final int SLTCTL_COMMAND_COMPLETED_ENABLE = 1 << 4;
    public static final int SLTCTL_HOT_PLUG_INTERRUPT_ENABLE = 1 << 5;
    public static final int SLTCTL_ATTENTION_INDICATOR_SHIFT = 6;
    public static final int SLTCTL_ATTENTION_INDICATOR_MASK = 0x3 << SLTCTL_ATTENTION_INDICATOR_SHIFT;
    public static final int SLTCTL_POWER_INDICATOR_SHIFT = 8;
    public static final int SLTCTL_POWER_INDICATOR_MASK = 0x3 << SLTCTL_POWER_INDICATOR_SHIFT;
    public static final int SLTCTL_POWER_CONTROLLER = 1 << 10;
    public static final int SLTCTL_INTERLOCK = 1 << 11;
    public static final int SLTCTL_DLL_STATE_CHANGED_ENABLE = 1 << 12;
    public static final int SLTCTL_AUTO_POWER_LIMIT_DISABLE = 1 << 13;
    public static final int SLTCTL_INBAND_PD_DISABLE = 1 << 14;

    // Slot Status, 16 bits
    public static final int SLTSTA = 0x1A;
    public static final int SLTSTA_ATTENTION_BUTTON = 1;
    public static final int SLTSTA_POWER_FAULT = 1 << 1;
    public static final int SLTSTA_MRL_SENSOR_CHANGED = 1 << 2;
    public static final int SLTSTA_PRESENCE_DETECT_CHANGED = 1 << 3;
    public static final int SLTSTA_COMMAND_COMPLETED = 1 << 4;
    public static final int SLTSTA_MRL_SENSOR_STATE = 1 << 5;
    public static final int SLTSTA_PRESENCE_DETECT_STATE = 1 << 6;
    public static final int SLTSTA_INTERLOCK = 1 << 7;
    public static final int SLTSTA_DLL_STATE_CHANGED = 1 << 8;

    // Root Control, Root Capabilities (16 bits each), Root Status (32 bits)
    public static final int RTCTL = 0x1C;
    public static final int RTCTL_SERR_CORRECTABLE = 1;
    public static final int RTCTL_SERR_NON_FATAL = 1 << 1;
    public static final int RTCTL_SERR_FATAL = 1 << 2;
    public static final int RTCTL_PME_INTERRUPT = 1 << 3;
    public static final int RTCTL_CRS_VISIBILITY = 1 << 4;
    public static final int RTCAP = 0x1E;
    public static final int RTCAP_CRS_VISIBILITY = 1;
    public static final int RTSTA = 0x20;
    public static final int RTSTA_PME_REQUESTER_MASK = 0xFFFF;
    public static final int RTSTA_PME_STATUS = 1 << 16;
    public static final int RTSTA_PME_PENDING = 1 << 17;

    // Device Capabilities 2, 32 bits
    public static final int DEVCAP2 = 0x24;
    public static final int DEVCAP2_COMPLETION_TIMEOUT_RANGES_MASK = 0xF;
    public static final int DEVCAP2_COMPLETION_TIMEOUT_DISABLE = 1 << 4;
    public static final int DEVCAP2_ARI_FORWARDING = 1 << 5;
    public static final int DEVCAP2_ATOMIC_ROUTING = 1 << 6;
    public static final int DEVCAP2_ATOMIC_32 = 1 << 7;
    public static final int DEVCAP2_ATOMIC_64 = 1 << 8;
    public static final int DEVCAP2_CAS_128 = 1 << 9;
    public static final int DEVCAP2_NO_RO_PR_PR_PASSING = 1 << 10;
    public static final int DEVCAP2_LTR = 1 << 11;
    public static final int DEVCAP2_TPH_COMPLETER_SHIFT = 12;
    public static final int DEVCAP2_TPH_COMPLETER_MASK = 0x3 << DEVCAP2_TPH_COMPLETER_SHIFT;
    public static final int DEVCAP2_LN_SYSTEM_CLS_SHIFT = 14;
    public static final int DEVCAP2_LN_SYSTEM_CLS_MASK = 0x3 << DEVCAP2_LN_SYSTEM_CLS_SHIFT;
    public static final int DEVCAP2_10BIT_TAG_COMPLETER = 1 << 16;
    public static final int DEVCAP2_10BIT_TAG_REQUESTER = 1 << 17;
    public static final int DEVCAP2_OBFF_SHIFT = 18;
    public static final int DEVCAP2_OBFF_MASK = 0x3 << DEVCAP2_OBFF_SHIFT;
    public static final int DEVCAP2_EXTENDED_FMT = 1 << 20;
    public static final int DEVCAP2_END_END_PREFIX = 1 << 21;
    public static final int DEVCAP2_MAX_END_END_PREFIXES_SHIFT = 22;
    public static final int DEVCAP2_MAX_END_END_PREFIXES_MASK = 0x3 << DEVCAP2_MAX_END_END_PREFIXES_SHIFT;
    public static final int DEVCAP2_EMERGENCY_POWER_SHIFT = 24;
    public static final int DEVCAP2_EMERGENCY_POWER_MASK = 0x3 << DEVCAP2_EMERGENCY_POWER_SHIFT;
    public static final int DEVCAP2_EMERGENCY_POWER_INIT = 1 << 26;
    public static final int DEVCAP2_FRS = 1 << 31;

    // Device Control 2, 16 bits
    public static final int DEVCTL2 = 0x28;
    public static final int DEVCTL2_COMPLETION_TIMEOUT_MASK = 0xF;
    public static final int DEVCTL2_COMPLETION_TIMEOUT_DISABLE = 1 << 4;
    public static final int DEVCTL2_ARI_FORWARDING = 1 << 5;
    public static final int DEVCTL2_ATOMIC_REQUESTER = 1 << 6;
    public static final int DEVCTL2_ATOMIC_EGRESS_BLOCKING = 1 << 7;
    public static final int DEVCTL2_IDO_REQUEST = 1 << 8;
    public static final int DEVCTL2_IDO_COMPLETION = 1 << 9;
    public static final int DEVCTL2_LTR = 1 << 10;
    public static final int DEVCTL2_EMERGENCY_POWER_REQUEST = 1 << 11;
    public static final int DEVCTL2_10BIT_TAG_REQUESTER = 1 << 12;
    public static final int DEVCTL2_OBFF_SHIFT = 13;
    public static final int DEVCTL2_OBFF_MASK = 0x3 << DEVCTL2_OBFF_SHIFT;
    public static final int DEVCTL2_END_END_PREFIX_BLOCKING = 1 << 15;

    // Device Status 2, 16 bits (no fields defined)
    public static final int DEVSTA2 = 0x2A;

    // Link Capabilities 2, 32 bits
    public static final int LNKCAP2 = 0x2C;
    public static final int LNKCAP2_SPEEDS_SHIFT = 1;
    public static final int LNKCAP2_SPEEDS_MASK = 0x7F << LNKCAP2_SPEEDS_SHIFT;
    public static final int LNKCAP2_CROSSLINK = 1 << 8;
    public static final int LNKCAP2_LOWER_SKP_GENERATION_SHIFT = 9;
    public static final int LNKCAP2_LOWER_SKP_GENERATION_MASK = 0x7F << LNKCAP2_LOWER_SKP_GENERATION_SHIFT;
    public static final int LNKCAP2_LOWER_SKP_RECEPTION_SHIFT = 16;
    public static final int LNKCAP2_LOWER_SKP_RECEPTION_MASK = 0x7F << LNKCAP2_LOWER_SKP_RECEPTION_SHIFT;
    public static final int LNKCAP2_RETIMER_PRESENCE = 1 << 23;
    public static final int LNKCAP2_TWO_RETIMERS_PRESENCE = 1 << 24;
    public static final int LNKCAP2_DRS = 1 << 31;

    // Link Control 2, 16 bits
    public static final int LNKCTL2 = 0x30;
    public static final int LNKCTL2_TARGET_SPEED_MASK = 0xF;
    public static final int LNKCTL2_ENTER_COMPLIANCE = 1 << 4;
    public static final int LNKCTL2_HW_AUTONOMOUS_SPEED_DISABLE = 1 << 5;
    public static final int LNKCTL2_SELECTABLE_DEEMPHASIS = 1 << 6;
    public static final int LNKCTL2_TRANSMIT_MARGIN_SHIFT = 7;
    public static final int LNKCTL2_TRANSMIT_MARGIN_MASK = 0x7 << LNKCTL2_TRANSMIT_MARGIN_SHIFT;
    public static final int LNKCTL2_ENTER_MODIFIED_COMPLIANCE = 1 << 10;
    public static final int LNKCTL2_COMPLIANCE_SOS = 1 << 11;
    public static final int LNKCTL2_COMPLIANCE_PRESET_SHIFT = 12;
    public static final int LNKCTL2_COMPLIANCE_PRESET_MASK = 0xF << LNKCTL2_COMPLIANCE_PRESET_SHIFT;

    // Link Status 2, 16 bits
    public static final int LNKSTA2 = 0x32;
    public static final int LNKSTA2_DEEMPHASIS = 1;
    public static final int LNKSTA2_EQUALIZATION_COMPLETE = 1 << 1;
    public static final int LNKSTA2_EQUALIZATION_PHASE1 = 1 << 2;
    public static final int LNKSTA2_EQUALIZATION_PHASE2 = 1 << 3;
    public static final int LNKSTA2_EQUALIZATION_PHASE3 = 1 << 4;
    public static final int LNKSTA2_EQUALIZATION_REQUEST = 1 << 5;
    public static final int LNKSTA2_RETIMER_PRESENCE = 1 << 6;
    public static final int LNKSTA2_TWO_RETIMERS_PRESENCE = 1 << 7;
    public static final int LNKSTA2_CROSSLINK_RESOLUTION_SHIFT = 8;
    public static final int LNKSTA2_CROSSLINK_RESOLUTION_MASK = 0x3 << LNKSTA2_CROSSLINK_RESOLUTION_SHIFT;
    public static final int LNKSTA2_DOWNSTREAM_PRESENCE_SHIFT = 12;
    public static final int LNKSTA2_DOWNSTREAM_PRESENCE_MASK = 0x7 << LNKSTA2_DOWNSTREAM_PRESENCE_SHIFT;
    public static final int LNKSTA2_DRS_RECEIVED = 1 << 15;

    // Slot Capabilities 2 (32 bits), Slot Control 2 and Slot Status 2 (16 bits each)
    public static final int SLTCAP2 = 0x34;
    public static final int SLTCAP2_INBAND_PD_DISABLE = 1;
    public static final int SLTCTL2 = 0x38;
    public static final int SLTSTA2 = 0x3A;

    /** Size of a version 2 structure. */
    public static final int LENGTH_V2 = SLTSTA2 + 2;

    @Override
    public CapabilityKind kind() {
        return StandardCapability.PCI_EXPRESS;
    }

    // ---- PCI Express Capabilities

    public int flags() {
        return read16(FLAGS);
    }

    /** Capability Version (1 or 2). */
    public int version() {
        return flags() & FLAGS_VERSION_MASK;
    }

    /** Device/Port Type; see {@link DeviceTraits} for the values. */
    public int deviceType() {
        return (flags() & FLAGS_TYPE_MASK) >>> FLAGS_TYPE_SHIFT;
    }

    public boolean slotImplemented() {
        return (flags() & FLAGS_SLOT_IMPLEMENTED) != 0;
    }

    public int interruptMessageNumber() {
        return (flags() & FLAGS_INTERRUPT_MASK) >>> FLAGS_INTERRUPT_SHIFT;
    }

    /** True when the function has link registers: every type but root-complex integrated endpoints and event collectors. */
    public boolean hasLink() {
        int type = deviceType();
        return type != DeviceTraits.PCIE_RC_INTEGRATED_ENDPOINT && type != DeviceTraits.PCIE_RC_EVENT_COLLECTOR;
    }

    /** True when the slot registers apply: a downstream-facing port with Slot Implemented set. */
    public boolean hasSlot() {
        int type = deviceType();
        return slotImplemented() && (type == DeviceTraits.PCIE_ROOT_PORT || type == DeviceTraits.PCIE_DOWNSTREAM_PORT
                || type == DeviceTraits.PCIE_PCI_TO_PCIE_BRIDGE);
    }

    /** True when the root registers apply: root ports and root complex event collectors. */
    public boolean hasRoot() {
        int type = deviceType();
        return type == DeviceTraits.PCIE_ROOT_PORT || type == DeviceTraits.PCIE_RC_EVENT_COLLECTOR;
    }

    /** True when the version 2 registers (Device/Link/Slot Capabilities 2 and on) are present. */
    public boolean hasVersion2Registers() {
        return version() >= 2;
    }

    // ---- Device

    public int deviceCapabilities() {
        return read32(DEVCAP);
    }

    /** Max_Payload_Size Supported in bytes (128 x 2^field). */
    public int maxPayloadSupported() {
        return 128 << (deviceCapabilities() & DEVCAP_MAX_PAYLOAD_MASK);
    }

    public boolean extendedTagSupported() {
        return (deviceCapabilities() & DEVCAP_EXTENDED_TAG) != 0;
    }

    public boolean roleBasedErrorReporting() {
        return (deviceCapabilities() & DEVCAP_ROLE_BASED_ERROR) != 0;
    }

    public boolean flrCapable() {
        return (deviceCapabilities() & DEVCAP_FLR) != 0;
    }

    public int deviceControl() {
        return read16(DEVCTL);
    }

    /** Max_Payload_Size in bytes. */
    public int maxPayload() {
        return 128 << ((deviceControl() & DEVCTL_MAX_PAYLOAD_MASK) >>> DEVCTL_MAX_PAYLOAD_SHIFT);
    }

    /** Max_Read_Request_Size in bytes. */
    public int maxReadRequest() {
        return 128 << ((deviceControl() & DEVCTL_MAX_READ_REQUEST_MASK) >>> DEVCTL_MAX_READ_REQUEST_SHIFT);
    }

    public boolean relaxedOrderingEnabled() {
        return (deviceControl() & DEVCTL_RELAXED_ORDERING) != 0;
    }

    public boolean noSnoopEnabled() {
        return (deviceControl() & DEVCTL_NO_SNOOP) != 0;
    }

    public boolean extendedTagEnabled() {
        return (deviceControl() & DEVCTL_EXTENDED_TAG) != 0;
    }

    public int deviceStatus() {
        return read16(DEVSTA);
    }

    public boolean transactionsPending() {
        return (deviceStatus() & DEVSTA_TRANSACTIONS_PENDING) != 0;
    }

    // ---- Link

    public int linkCapabilities() {
        return read32(LNKCAP);
    }

    /** Max Link Speed code: 1 2.5 GT/s, 2 5 GT/s, 3 8 GT/s, 4 16 GT/s, 5 32 GT/s, 6 64 GT/s. */
    public int maxLinkSpeed() {
        return linkCapabilities() & LNKCAP_MAX_SPEED_MASK;
    }

    /** Maximum Link Width in lanes. */
    public int maxLinkWidth() {
        return (linkCapabilities() & LNKCAP_MAX_WIDTH_MASK) >>> LNKCAP_MAX_WIDTH_SHIFT;
    }

    /** ASPM Support: bit 0 L0s, bit 1 L1. */
    public int aspmSupport() {
        return (linkCapabilities() & LNKCAP_ASPM_MASK) >>> LNKCAP_ASPM_SHIFT;
    }

    public int portNumber() {
        return (linkCapabilities() & LNKCAP_PORT_MASK) >>> LNKCAP_PORT_SHIFT;
    }

    public boolean dllActiveReportingCapable() {
        return (linkCapabilities() & LNKCAP_DLL_ACTIVE_REPORTING) != 0;
    }

    public int linkControl() {
        return read16(LNKCTL);
    }

    /** ASPM Control: bit 0 L0s enabled, bit 1 L1 enabled. */
    public int aspmControl() {
        return linkControl() & LNKCTL_ASPM_MASK;
    }

    public boolean commonClock() {
        return (linkControl() & LNKCTL_COMMON_CLOCK) != 0;
    }

    public boolean linkDisabled() {
        return (linkControl() & LNKCTL_LINK_DISABLE) != 0;
    }

    public int linkStatus() {
        return read16(LNKSTA);
    }

    /** Current Link Speed code (same encoding as {@link #maxLinkSpeed()}). */
    public int currentLinkSpeed() {
        return linkStatus() & LNKSTA_SPEED_MASK;
    }

    /** Negotiated Link Width in lanes. */
    public int negotiatedLinkWidth() {
        return (linkStatus() & LNKSTA_WIDTH_MASK) >>> LNKSTA_WIDTH_SHIFT;
    }

    public boolean linkTraining() {
        return (linkStatus() & LNKSTA_TRAINING) != 0;
    }

    public boolean dllLinkActive() {
        return (linkStatus() & LNKSTA_DLL_ACTIVE) != 0;
    }

    // ---- Slot

    public int slotCapabilities() {
        return read32(SLTCAP);
    }

    public boolean hotPlugCapable() {
        return (slotCapabilities() & SLTCAP_HOT_PLUG_CAPABLE) != 0;
    }

    public int physicalSlotNumber() {
        return (slotCapabilities() & SLTCAP_SLOT_NUMBER_MASK) >>> SLTCAP_SLOT_NUMBER_SHIFT;
    }

    public int slotControl() {
        return read16(SLTCTL);
    }

    public int slotStatus() {
        return read16(SLTSTA);
    }

    public boolean presenceDetected() {
        return (slotStatus() & SLTSTA_PRESENCE_DETECT_STATE) != 0;
    }

    // ---- Root

    public int rootControl() {
        return read16(RTCTL);
    }

    public int rootCapabilities() {
        return read16(RTCAP);
    }

    public int rootStatus() {
        return read32(RTSTA);
    }

    public int pmeRequesterId() {
        return rootStatus() & RTSTA_PME_REQUESTER_MASK;
    }

    // ---- Version 2 registers

    public int deviceCapabilities2() {
        return read32(DEVCAP2);
    }

    /** Completion Timeout Ranges Supported: bit 0 range A, 1 B, 2 C, 3 D; 0 not supported. */
    public int completionTimeoutRanges() {
        return deviceCapabilities2() & DEVCAP2_COMPLETION_TIMEOUT_RANGES_MASK;
    }

    public boolean ariForwardingSupported() {
        return (deviceCapabilities2() & DEVCAP2_ARI_FORWARDING) != 0;
    }

    public boolean ltrSupported() {
        return (deviceCapabilities2() & DEVCAP2_LTR) != 0;
    }

    public boolean tenBitTagRequesterSupported() {
        return (deviceCapabilities2() & DEVCAP2_10BIT_TAG_REQUESTER) != 0;
    }

    /** OBFF Supported: 0 none, 1 message, 2 WAKE#, 3 both. */
    public int obffSupported() {
        return (deviceCapabilities2() & DEVCAP2_OBFF_MASK) >>> DEVCAP2_OBFF_SHIFT;
    }

    public int deviceControl2() {
        return read16(DEVCTL2);
    }

    public int completionTimeoutValue() {
        return deviceControl2() & DEVCTL2_COMPLETION_TIMEOUT_MASK;
    }

    public boolean ariForwardingEnabled() {
        return (deviceControl2() & DEVCTL2_ARI_FORWARDING) != 0;
    }

    public boolean ltrEnabled() {
        return (deviceControl2() & DEVCTL2_LTR) != 0;
    }

    public boolean tenBitTagRequesterEnabled() {
        return (deviceControl2() & DEVCTL2_10BIT_TAG_REQUESTER) != 0;
    }

    public int deviceStatus2() {
        return read16(DEVSTA2);
    }

    public int linkCapabilities2() {
        return read32(LNKCAP2);
    }

    /** Supported Link Speeds Vector: bit 0 2.5 GT/s, bit 1 5 GT/s, ... bit 5 64 GT/s. */
    public int supportedLinkSpeeds() {
        return (linkCapabilities2() & LNKCAP2_SPEEDS_MASK) >>> LNKCAP2_SPEEDS_SHIFT;
    }

    public boolean crosslinkSupported() {
        return (linkCapabilities2() & LNKCAP2_CROSSLINK) != 0;
    }

    public int linkControl2() {
        return read16(LNKCTL2);
    }

    /** Target Link Speed code; 0 means the component supports 2.5 GT/s only (hardwired field). */
    public int targetLinkSpeed() {
        return linkControl2() & LNKCTL2_TARGET_SPEED_MASK;
    }

    public int linkStatus2() {
        return read16(LNKSTA2);
    }

    public boolean equalizationComplete() {
        return (linkStatus2() & LNKSTA2_EQUALIZATION_COMPLETE) != 0;
    }

    public int slotCapabilities2() {
        return read32(SLTCAP2);
    }

    public int slotControl2() {
        return read16(SLTCTL2);
    }

    public int slotStatus2() {
        return read16(SLTSTA2);
    }

    private static final String[] TYPES = {"Endpoint", "Legacy Endpoint", "reserved (2)", "reserved (3)", "Root Port",
        "Upstream Port", "Downstream Port", "PCI Express to PCI/PCI-X Bridge", "PCI/PCI-X to PCI Express Bridge",
        "Root Complex Integrated Endpoint", "Root Complex Event Collector"};
    private static final String[] L0S_EXIT = {"<64ns", "<128ns", "<256ns", "<512ns", "<1us", "<2us", "<4us",
        ">4us"};
    private static final String[] L1_EXIT = {"<1us", "<2us", "<4us", "<8us", "<16us", "<32us", "<64us", ">64us"};
    private static final String[] L0S_ACCEPTABLE = {"<64ns", "<128ns", "<256ns", "<512ns", "<1us", "<2us", "<4us",
        "unlimited"};
    private static final String[] L1_ACCEPTABLE = {"<1us", "<2us", "<4us", "<8us", "<16us", "<32us", "<64us",
        "unlimited"};
    private static final String[] ASPM = {"none", "L0s", "L1", "L0s and L1"};
    private static final String[] INDICATOR = {"reserved", "on", "blink", "off"};
    private static final String[] OBFF = {"not supported", "message", "WAKE#", "message and WAKE#"};
    private static final String[] OBFF_ENABLE = {"disabled", "message A", "message B", "WAKE#"};
    private static final String[] TPH = {"not supported", "TPH", "reserved", "TPH and extended TPH"};
    private static final String[] MARGIN = {"normal operating range", "1", "2", "3", "4", "5", "6", "7"};

    /** Slot power in watts from a value and a scale (1, 0.1, 0.01, 0.001). */
    static String power(long value, long scale) {
        if (scale == 0 && value >= 0xF0) {
            return switch ((int) value) {
                case 0xF0 -> "250W";
                case 0xF1 -> "275W";
                case 0xF2 -> "300W";
                default -> ">300W (reserved value " + value + ")";
            };
        }
        double watts = value * Math.pow(10, -scale);
        return (watts == Math.rint(watts) ? Long.toString((long) watts) : Double.toString(watts)) + "W";
    }

    @Override
    public List<RegisterField> fields() {
        FieldList f = new FieldList(this).standardHeader();
        f.register("PCI Express Capabilities", FLAGS, 2)
                .number("Capability Version", FLAGS_VERSION_MASK)
                .add("Device/Port Type", FLAGS_TYPE_MASK, v -> v < TYPES.length ? TYPES[(int) v] : "reserved (" + v + ")")
                .flag("Slot Implemented", FLAGS_SLOT_IMPLEMENTED)
                .number("Interrupt Message Number", FLAGS_INTERRUPT_MASK)
                .flag("Flit Mode Supported", FLAGS_FLIT_MODE);
        f.register("Device Capabilities", DEVCAP, 4)
                .add("Max_Payload_Size Supported", DEVCAP_MAX_PAYLOAD_MASK, v -> (128 << v) + " bytes")
                .number("Phantom Functions Supported", DEVCAP_PHANTOM_MASK)
                .flag("Extended Tag Field Supported", DEVCAP_EXTENDED_TAG)
                .add("Endpoint L0s Acceptable Latency", DEVCAP_L0S_LATENCY_MASK, v -> L0S_ACCEPTABLE[(int) v])
                .add("Endpoint L1 Acceptable Latency", DEVCAP_L1_LATENCY_MASK, v -> L1_ACCEPTABLE[(int) v])
                .flag("Attention Button Present", DEVCAP_ATTENTION_BUTTON)
                .flag("Attention Indicator Present", DEVCAP_ATTENTION_INDICATOR)
                .flag("Power Indicator Present", DEVCAP_POWER_INDICATOR)
                .flag("Role-Based Error Reporting", DEVCAP_ROLE_BASED_ERROR)
                .flag("ERR_COR Subclass Capable", DEVCAP_ERR_COR_SUBCLASS)
                .add("Captured Slot Power Limit Value", DEVCAP_SLOT_POWER_VALUE_MASK, v -> power(v,
                        (deviceCapabilities() & DEVCAP_SLOT_POWER_SCALE_MASK) >>> DEVCAP_SLOT_POWER_SCALE_SHIFT))
                .number("Captured Slot Power Limit Scale", DEVCAP_SLOT_POWER_SCALE_MASK)
                .flag("Function Level Reset Capability", DEVCAP_FLR);
        f.register("Device Control", DEVCTL, 2)
                .flag("Correctable Error Reporting Enable", DEVCTL_CORRECTABLE_ERROR)
                .flag("Non-Fatal Error Reporting Enable", DEVCTL_NON_FATAL_ERROR)
                .flag("Fatal Error Reporting Enable", DEVCTL_FATAL_ERROR)
                .flag("Unsupported Request Reporting Enable", DEVCTL_UNSUPPORTED_REQUEST)
                .flag("Enable Relaxed Ordering", DEVCTL_RELAXED_ORDERING)
                .add("Max_Payload_Size", DEVCTL_MAX_PAYLOAD_MASK, v -> (128 << v) + " bytes")
                .flag("Extended Tag Field Enable", DEVCTL_EXTENDED_TAG)
                .flag("Phantom Functions Enable", DEVCTL_PHANTOM)
                .flag("Aux Power PM Enable", DEVCTL_AUX_POWER_PM)
                .flag("Enable No Snoop", DEVCTL_NO_SNOOP)
                .add("Max_Read_Request_Size", DEVCTL_MAX_READ_REQUEST_MASK, v -> (128 << v) + " bytes")
                .flag("Bridge Configuration Retry Enable / Initiate Function Level Reset", DEVCTL_BRIDGE_RETRY_OR_FLR);
        f.register("Device Status", DEVSTA, 2)
                .flag("Correctable Error Detected", DEVSTA_CORRECTABLE_ERROR)
                .flag("Non-Fatal Error Detected", DEVSTA_NON_FATAL_ERROR)
                .flag("Fatal Error Detected", DEVSTA_FATAL_ERROR)
                .flag("Unsupported Request Detected", DEVSTA_UNSUPPORTED_REQUEST)
                .flag("AUX Power Detected", DEVSTA_AUX_POWER)
                .flag("Transactions Pending", DEVSTA_TRANSACTIONS_PENDING)
                .flag("Emergency Power Reduction Detected", DEVSTA_EMERGENCY_POWER_REDUCTION);
        if (hasLink()) {
            linkFields(f);
        }
        if (hasSlot()) {
            slotFields(f);
        }
        if (hasRoot()) {
            f.register("Root Control", RTCTL, 2)
                    .flag("System Error on Correctable Error Enable", RTCTL_SERR_CORRECTABLE)
                    .flag("System Error on Non-Fatal Error Enable", RTCTL_SERR_NON_FATAL)
                    .flag("System Error on Fatal Error Enable", RTCTL_SERR_FATAL)
                    .flag("PME Interrupt Enable", RTCTL_PME_INTERRUPT)
                    .flag("CRS Software Visibility Enable", RTCTL_CRS_VISIBILITY);
            f.register("Root Capabilities", RTCAP, 2).flag("CRS Software Visibility", RTCAP_CRS_VISIBILITY);
            f.register("Root Status", RTSTA, 4)
                    .add("PME Requester ID", RTSTA_PME_REQUESTER_MASK, v -> Hex.padded(v, 4))
                    .flag("PME Status", RTSTA_PME_STATUS)
                    .flag("PME Pending", RTSTA_PME_PENDING);
        }
        if (hasVersion2Registers()) {
            version2Fields(f);
        }
        return f.list();
    }

    private void linkFields(FieldList f) {
        f.register("Link Capabilities", LNKCAP, 4)
                .add("Max Link Speed", LNKCAP_MAX_SPEED_MASK, Text::linkSpeed)
                .add("Maximum Link Width", LNKCAP_MAX_WIDTH_MASK, v -> "x" + v)
                .add("ASPM Support", LNKCAP_ASPM_MASK, v -> ASPM[(int) v])
                .add("L0s Exit Latency", LNKCAP_L0S_EXIT_MASK, v -> L0S_EXIT[(int) v])
                .add("L1 Exit Latency", LNKCAP_L1_EXIT_MASK, v -> L1_EXIT[(int) v])
                .flag("Clock Power Management", LNKCAP_CLOCK_PM)
                .flag("Surprise Down Error Reporting Capable", LNKCAP_SURPRISE_DOWN)
                .flag("Data Link Layer Link Active Reporting Capable", LNKCAP_DLL_ACTIVE_REPORTING)
                .flag("Link Bandwidth Notification Capability", LNKCAP_BANDWIDTH_NOTIFICATION)
                .flag("ASPM Optionality Compliance", LNKCAP_ASPM_OPTIONALITY)
                .number("Port Number", LNKCAP_PORT_MASK);
        f.register("Link Control", LNKCTL, 2)
                .add("ASPM Control", LNKCTL_ASPM_MASK, v -> ASPM[(int) v])
                .add("Read Completion Boundary", LNKCTL_RCB, v -> v == 0 ? "64 bytes" : "128 bytes")
                .flag("Link Disable", LNKCTL_LINK_DISABLE)
                .flag("Retrain Link", LNKCTL_RETRAIN)
                .flag("Common Clock Configuration", LNKCTL_COMMON_CLOCK)
                .flag("Extended Synch", LNKCTL_EXTENDED_SYNCH)
                .flag("Enable Clock Power Management", LNKCTL_CLOCK_PM)
                .flag("Hardware Autonomous Width Disable", LNKCTL_HW_AUTONOMOUS_WIDTH_DISABLE)
                .flag("Link Bandwidth Management Interrupt Enable", LNKCTL_BANDWIDTH_MANAGEMENT_INTERRUPT)
                .flag("Link Autonomous Bandwidth Interrupt Enable", LNKCTL_AUTONOMOUS_BANDWIDTH_INTERRUPT)
                .number("DRS Signaling Control", LNKCTL_DRS_SIGNALING_MASK);
        f.register("Link Status", LNKSTA, 2)
                .add("Current Link Speed", LNKSTA_SPEED_MASK, Text::linkSpeed)
                .add("Negotiated Link Width", LNKSTA_WIDTH_MASK, v -> "x" + v)
                .flag("Link Training", LNKSTA_TRAINING)
                .flag("Slot Clock Configuration", LNKSTA_SLOT_CLOCK)
                .flag("Data Link Layer Link Active", LNKSTA_DLL_ACTIVE)
                .flag("Link Bandwidth Management Status", LNKSTA_BANDWIDTH_MANAGEMENT)
                .flag("Link Autonomous Bandwidth Status", LNKSTA_AUTONOMOUS_BANDWIDTH);
    }

    private void slotFields(FieldList f) {
        f.register("Slot Capabilities", SLTCAP, 4)
                .flag("Attention Button Present", SLTCAP_ATTENTION_BUTTON)
                .flag("Power Controller Present", SLTCAP_POWER_CONTROLLER)
                .flag("MRL Sensor Present", SLTCAP_MRL_SENSOR)
                .flag("Attention Indicator Present", SLTCAP_ATTENTION_INDICATOR)
                .flag("Power Indicator Present", SLTCAP_POWER_INDICATOR)
                .flag("Hot-Plug Surprise", SLTCAP_HOT_PLUG_SURPRISE)
                .flag("Hot-Plug Capable", SLTCAP_HOT_PLUG_CAPABLE)
                .add("Slot Power Limit Value", SLTCAP_POWER_VALUE_MASK, v -> power(v,
                        (slotCapabilities() & SLTCAP_POWER_SCALE_MASK) >>> SLTCAP_POWER_SCALE_SHIFT))
                .number("Slot Power Limit Scale", SLTCAP_POWER_SCALE_MASK)
                .flag("Electromechanical Interlock Present", SLTCAP_INTERLOCK)
                .flag("No Command Completed Support", SLTCAP_NO_COMMAND_COMPLETED)
                .number("Physical Slot Number", SLTCAP_SLOT_NUMBER_MASK);
        f.register("Slot Control", SLTCTL, 2)
                .flag("Attention Button Pressed Enable", SLTCTL_ATTENTION_BUTTON_ENABLE)
                .flag("Power Fault Detected Enable", SLTCTL_POWER_FAULT_ENABLE)
                .flag("MRL Sensor Changed Enable", SLTCTL_MRL_SENSOR_ENABLE)
                .flag("Presence Detect Changed Enable", SLTCTL_PRESENCE_DETECT_ENABLE)
                .flag("Command Completed Interrupt Enable", SLTCTL_COMMAND_COMPLETED_ENABLE)
                .flag("Hot-Plug Interrupt Enable", SLTCTL_HOT_PLUG_INTERRUPT_ENABLE)
                .add("Attention Indicator Control", SLTCTL_ATTENTION_INDICATOR_MASK, v -> INDICATOR[(int) v])
                .add("Power Indicator Control", SLTCTL_POWER_INDICATOR_MASK, v -> INDICATOR[(int) v])
                .add("Power Controller Control", SLTCTL_POWER_CONTROLLER, v -> v == 0 ? "power on" : "power off")
                .flag("Electromechanical Interlock Control", SLTCTL_INTERLOCK)
                .flag("Data Link Layer State Changed Enable", SLTCTL_DLL_STATE_CHANGED_ENABLE)
                .flag("Auto Slot Power Limit Disable", SLTCTL_AUTO_POWER_LIMIT_DISABLE)
                .flag("In-Band PD Disable", SLTCTL_INBAND_PD_DISABLE);
        f.register("Slot Status", SLTSTA, 2)
                .flag("Attention Button Pressed", SLTSTA_ATTENTION_BUTTON)
                .flag("Power Fault Detected", SLTSTA_POWER_FAULT)
                .flag("MRL Sensor Changed", SLTSTA_MRL_SENSOR_CHANGED)
                .flag("Presence Detect Changed", SLTSTA_PRESENCE_DETECT_CHANGED)
                .flag("Command Completed", SLTSTA_COMMAND_COMPLETED)
                .add("MRL Sensor State", SLTSTA_MRL_SENSOR_STATE, v -> v == 0 ? "closed" : "open")
                .add("Presence Detect State", SLTSTA_PRESENCE_DETECT_STATE, v -> v == 0 ? "empty" : "present")
                .flag("Electromechanical Interlock Status", SLTSTA_INTERLOCK)
                .flag("Data Link Layer State Changed", SLTSTA_DLL_STATE_CHANGED);
    }

    private void version2Fields(FieldList f) {
        f.register("Device Capabilities 2", DEVCAP2, 4)
                .hex("Completion Timeout Ranges Supported", DEVCAP2_COMPLETION_TIMEOUT_RANGES_MASK)
                .flag("Completion Timeout Disable Supported", DEVCAP2_COMPLETION_TIMEOUT_DISABLE)
                .flag("ARI Forwarding Supported", DEVCAP2_ARI_FORWARDING)
                .flag("AtomicOp Routing Supported", DEVCAP2_ATOMIC_ROUTING)
                .flag("32-bit AtomicOp Completer Supported", DEVCAP2_ATOMIC_32)
                .flag("64-bit AtomicOp Completer Supported", DEVCAP2_ATOMIC_64)
                .flag("128-bit CAS Completer Supported", DEVCAP2_CAS_128)
                .flag("No RO-enabled PR-PR Passing", DEVCAP2_NO_RO_PR_PR_PASSING)
                .flag("LTR Mechanism Supported", DEVCAP2_LTR)
                .add("TPH Completer Supported", DEVCAP2_TPH_COMPLETER_MASK, v -> TPH[(int) v])
                .number("LN System CLS", DEVCAP2_LN_SYSTEM_CLS_MASK)
                .flag("10-Bit Tag Completer Supported", DEVCAP2_10BIT_TAG_COMPLETER)
                .flag("10-Bit Tag Requester Supported", DEVCAP2_10BIT_TAG_REQUESTER)
                .add("OBFF Supported", DEVCAP2_OBFF_MASK, v -> OBFF[(int) v])
                .flag("Extended Fmt Field Supported", DEVCAP2_EXTENDED_FMT)
                .flag("End-End TLP Prefix Supported", DEVCAP2_END_END_PREFIX)
                .add("Max End-End TLP Prefixes", DEVCAP2_MAX_END_END_PREFIXES_MASK, v -> v == 0 ? "4" : Long.toString(v))
                .number("Emergency Power Reduction Supported", DEVCAP2_EMERGENCY_POWER_MASK)
                .flag("Emergency Power Reduction Initialization Required", DEVCAP2_EMERGENCY_POWER_INIT)
                .flag("FRS Supported", DEVCAP2_FRS);
        f.register("Device Control 2", DEVCTL2, 2)
                .hex("Completion Timeout Value", DEVCTL2_COMPLETION_TIMEOUT_MASK)
                .flag("Completion Timeout Disable", DEVCTL2_COMPLETION_TIMEOUT_DISABLE)
                .flag("ARI Forwarding Enable", DEVCTL2_ARI_FORWARDING)
                .flag("AtomicOp Requester Enable", DEVCTL2_ATOMIC_REQUESTER)
                .flag("AtomicOp Egress Blocking", DEVCTL2_ATOMIC_EGRESS_BLOCKING)
                .flag("IDO Request Enable", DEVCTL2_IDO_REQUEST)
                .flag("IDO Completion Enable", DEVCTL2_IDO_COMPLETION)
                .flag("LTR Mechanism Enable", DEVCTL2_LTR)
                .flag("Emergency Power Reduction Request", DEVCTL2_EMERGENCY_POWER_REQUEST)
                .flag("10-Bit Tag Requester Enable", DEVCTL2_10BIT_TAG_REQUESTER)
                .add("OBFF Enable", DEVCTL2_OBFF_MASK, v -> OBFF_ENABLE[(int) v])
                .flag("End-End TLP Prefix Blocking", DEVCTL2_END_END_PREFIX_BLOCKING);
        f.register("Device Status 2", DEVSTA2, 2).whole("Device Status 2 (reserved)");
        if (hasLink()) {
            f.register("Link Capabilities 2", LNKCAP2, 4)
                    .add("Supported Link Speeds Vector", LNKCAP2_SPEEDS_MASK, Text::speedVector)
                    .flag("Crosslink Supported", LNKCAP2_CROSSLINK)
                    .add("Lower SKP OS Generation Supported Speeds Vector", LNKCAP2_LOWER_SKP_GENERATION_MASK,
                            Text::speedVector)
                    .add("Lower SKP OS Reception Supported Speeds Vector", LNKCAP2_LOWER_SKP_RECEPTION_MASK,
                            Text::speedVector)
                    .flag("Retimer Presence Detect Supported", LNKCAP2_RETIMER_PRESENCE)
                    .flag("Two Retimers Presence Detect Supported", LNKCAP2_TWO_RETIMERS_PRESENCE)
                    .flag("DRS Supported", LNKCAP2_DRS);
            f.register("Link Control 2", LNKCTL2, 2)
                    .add("Target Link Speed", LNKCTL2_TARGET_SPEED_MASK,
                            v -> v == 0 ? "2.5GT/s (0: hardwired, 2.5 GT/s only)" : Text.linkSpeed(v))
                    .flag("Enter Compliance", LNKCTL2_ENTER_COMPLIANCE)
                    .flag("Hardware Autonomous Speed Disable", LNKCTL2_HW_AUTONOMOUS_SPEED_DISABLE)
                    .add("Selectable De-emphasis", LNKCTL2_SELECTABLE_DEEMPHASIS, v -> v == 0 ? "-6dB" : "-3.5dB")
                    .add("Transmit Margin", LNKCTL2_TRANSMIT_MARGIN_MASK, v -> MARGIN[(int) v])
                    .flag("Enter Modified Compliance", LNKCTL2_ENTER_MODIFIED_COMPLIANCE)
                    .flag("Compliance SOS", LNKCTL2_COMPLIANCE_SOS)
                    .number("Compliance Preset/De-emphasis", LNKCTL2_COMPLIANCE_PRESET_MASK);
            f.register("Link Status 2", LNKSTA2, 2)
                    .add("Current De-emphasis Level", LNKSTA2_DEEMPHASIS, v -> v == 0 ? "-6dB" : "-3.5dB")
                    .flag("Equalization 8.0 GT/s Complete", LNKSTA2_EQUALIZATION_COMPLETE)
                    .flag("Equalization 8.0 GT/s Phase 1 Successful", LNKSTA2_EQUALIZATION_PHASE1)
                    .flag("Equalization 8.0 GT/s Phase 2 Successful", LNKSTA2_EQUALIZATION_PHASE2)
                    .flag("Equalization 8.0 GT/s Phase 3 Successful", LNKSTA2_EQUALIZATION_PHASE3)
                    .flag("Link Equalization Request 8.0 GT/s", LNKSTA2_EQUALIZATION_REQUEST)
                    .flag("Retimer Presence Detected", LNKSTA2_RETIMER_PRESENCE)
                    .flag("Two Retimers Presence Detected", LNKSTA2_TWO_RETIMERS_PRESENCE)
                    .number("Crosslink Resolution", LNKSTA2_CROSSLINK_RESOLUTION_MASK)
                    .number("Downstream Component Presence", LNKSTA2_DOWNSTREAM_PRESENCE_MASK)
                    .flag("DRS Message Received", LNKSTA2_DRS_RECEIVED);
        }
        if (hasSlot()) {
            f.register("Slot Capabilities 2", SLTCAP2, 4).flag("In-Band PD Disable Supported", SLTCAP2_INBAND_PD_DISABLE);
            f.register("Slot Control 2", SLTCTL2, 2).whole("Slot Control 2 (reserved)");
            f.register("Slot Status 2", SLTSTA2, 2).whole("Slot Status 2 (reserved)");
        }
    }
}
