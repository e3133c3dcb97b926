package dev.vcap.pci.decode;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import java.util.List;

/**
 * Physical Layer 32.0 GT/s extended capability, ID 0x2A (PCIe base spec 7.7.6): 32 GT/s
 * equalization bypass and Modified TS usage, and one 8-bit Lane Equalization Control register per
 * lane. lspci 3.9 does not know this ID (it prints "Extended Capability ID 0x2a").
 *
 * <pre>
 *  31                                                              0
 * +-----------------------------------------------------------------+
 * |        Extended Capability Header (ID 0x002A)                   | +0x00
 * |        32.0 GT/s Capabilities                                   | +0x04
 * |        32.0 GT/s Control                                        | +0x08
 * |        32.0 GT/s Status                                         | +0x0C
 * |        Received Modified TS Data 1                              | +0x10
 * |        Received Modified TS Data 2                              | +0x14
 * |        Transmitted Modified TS Data 1                           | +0x18
 * |        Transmitted Modified TS Data 2                           | +0x1C
 * |        Lane Equalization Control, 1 byte per lane               | +0x20
 * +-----------------------------------------------------------------+
 *
 * Capabilities: 10 Modified TS Usage Mode 2 Supported (Alternate Protocol), 9 Mode 1 (Training Set
 *   Message), 8 Mode 0 (PCI Express), 1 No Equalization Needed Supported,
 *   0 Equalization Bypass to Highest Rate Supported
 * Control: 10:8 Modified TS Usage Mode Selected, 1 No Equalization Needed Disable,
 *   0 Equalization Bypass to Highest Rate Disable
 * Status: 10 No Equalization Needed Received, 9 Transmitter Precode Request, 8 Transmitter
 *   Precoding On, 7:6 Received Enhanced Link Behavior Control, 5 Modified TS Received,
 *   4 Link Equalization Request 32.0 GT/s, 3..1 Phase 3..1 Successful, 0 Equalization Complete
 * </pre>
 *
 * @param cs     the bytes
 * @param offset where the capability header is
 * @param lanes  lanes to decode: the Maximum Link Width, as the catalogue sizes the structure (0-32)
 */
public record PhysicalLayer32View(ConfigSpace cs, int offset, int lanes) implements CapabilityView {

    public PhysicalLayer32View {
        lanes = Math.clamp(lanes, 0, DeviceTraits.MAX_LINK_WIDTH);
    }

    /** 32.0 GT/s Capabilities, 32 bits. */
    public static final int CAPABILITIES = 0x04;
    public static final int EQ_BYPASS_SUPPORTED = 1;
    public static final int NO_EQ_NEEDED_SUPPORTED = 1 << 1;
    public static final int MTS_MODE0_SUPPORTED = 1 << 8;
    public static final int MTS_MODE1_SUPPORTED = 1 << 9;
    public static final int MTS_MODE2_SUPPORTED = 1 << 10;

    /** 32.0 GT/s Control, 32 bits. */
    public static final int CONTROL = CAPABILITIES + 4;
    public static final int EQ_BYPASS_DISABLE = 1;
    public static final int NO_EQ_NEEDED_DISABLE = 1 << 1;
    public static final int MTS_MODE_SELECTED_SHIFT = 8;
    public static final int MTS_MODE_SELECTED_MASK = 0x7 << MTS_MODE_SELECTED_SHIFT;

    /** 32.0 GT/s Status, 32 bits; bits 4:0 as in {@link PhysicalLayer16View}. */
    public static final int STATUS = CONTROL + 4;
    public static final int MODIFIED_TS_RECEIVED = 1 << 5;
    public static final int ENHANCED_LINK_BEHAVIOR_SHIFT = 6;
    public static final int ENHANCED_LINK_BEHAVIOR_MASK = 0x3 << ENHANCED_LINK_BEHAVIOR_SHIFT;
    public static final int PRECODING_ON = 1 << 8;
    public static final int PRECODE_REQUEST = 1 << 9;
    public static final int NO_EQ_NEEDED_RECEIVED = 1 << 10;

    public static final int RECEIVED_MODIFIED_TS_DATA1 = 0x10;
    public static final int RECEIVED_MODIFIED_TS_DATA2 = 0x14;
    public static final int TRANSMITTED_MODIFIED_TS_DATA1 = 0x18;
    public static final int TRANSMITTED_MODIFIED_TS_DATA2 = 0x1C;
    /** Lane Equalization Control of lane 0; lane n at {@code + n}, 8 bits each. */
    public static final int LANE_EQUALIZATION_CONTROL = 0x20;

    @Override
    public CapabilityKind kind() {
        return ExtendedCapability.PHYSICAL_LAYER_32;
    }

    public int capabilities() {
        return read32(CAPABILITIES);
    }

    public boolean equalizationBypassSupported() {
        return (capabilities() & EQ_BYPASS_SUPPORTED) != 0;
    }

    public boolean noEqualizationNeededSupported() {
        return (capabilities() & NO_EQ_NEEDED_SUPPORTED) != 0;
    }

    public int control() {
        return read32(CONTROL);
    }

    public int status() {
        return read32(STATUS);
    }

    public boolean equalizationComplete() {
        return (status() & PhysicalLayer16View.EQUALIZATION_COMPLETE) != 0;
    }

    /** Lane Equalization Control of {@code lane}; 0 outside the decoded lanes. */
    public int laneEqualizationControl(int lane) {
        return lane >= 0 && lane < lanes ? read8(LANE_EQUALIZATION_CONTROL + lane) : 0;
    }

    @Override
    public List<RegisterField> fields() {
        FieldList f = new FieldList(this).extendedHeader();
        f.register("32.0 GT/s Capabilities", CAPABILITIES, 4)
                .flag("Equalization Bypass to Highest Rate Supported", EQ_BYPASS_SUPPORTED)
                .flag("No Equalization Needed Supported", NO_EQ_NEEDED_SUPPORTED)
                .flag("Modified TS Usage Mode 0 Supported - PCI Express", MTS_MODE0_SUPPORTED)
                .flag("Modified TS Usage Mode 1 Supported - Training Set Message", MTS_MODE1_SUPPORTED)
                .flag("Modified TS Usage Mode 2 Supported - Alternate Protocol", MTS_MODE2_SUPPORTED);
        f.register("32.0 GT/s Control", CONTROL, 4)
                .flag("Equalization Bypass to Highest Rate Disable", EQ_BYPASS_DISABLE)
                .flag("No Equalization Needed Disable", NO_EQ_NEEDED_DISABLE)
                .number("Modified TS Usage Mode Selected", MTS_MODE_SELECTED_MASK);
        FieldList.Register status = f.register("32.0 GT/s Status", STATUS, 4);
        PhysicalLayer16View.equalizationStatus(status, "32.0 GT/s");
        status.flag("Modified TS Received", MODIFIED_TS_RECEIVED)
                .number("Received Enhanced Link Behavior Control", ENHANCED_LINK_BEHAVIOR_MASK)
                .flag("Transmitter Precoding On", PRECODING_ON)
                .flag("Transmitter Precode Request", PRECODE_REQUEST)
                .flag("No Equalization Needed Received", NO_EQ_NEEDED_RECEIVED);
        f.register("Received Modified TS Data 1", RECEIVED_MODIFIED_TS_DATA1, 4).whole("Received Modified TS Data 1");
        f.register("Received Modified TS Data 2", RECEIVED_MODIFIED_TS_DATA2, 4).whole("Received Modified TS Data 2");
        f.register("Transmitted Modified TS Data 1", TRANSMITTED_MODIFIED_TS_DATA1, 4)
                .whole("Transmitted Modified TS Data 1");
        f.register("Transmitted Modified TS Data 2", TRANSMITTED_MODIFIED_TS_DATA2, 4)
                .whole("Transmitted Modified TS Data 2");
        PhysicalLayer16View.laneEqualization(f, lanes, "32.0 GT/s");
        return f.list();
    }
}
