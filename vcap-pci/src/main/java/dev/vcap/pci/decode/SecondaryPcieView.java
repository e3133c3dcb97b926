package dev.vcap.pci.decode;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import java.util.List;

/**
 * Secondary PCI Express extended capability, ID 0x19 (PCIe base spec 7.7.3): 8.0 GT/s equalization
 * control, one 16-bit Lane Equalization Control register per lane of the link.
 *
 * <pre>
 *  31                            16 15                             0
 * +-----------------------------------------------------------------+
 * |        Extended Capability Header (ID 0x0019)                   | +0x00
 * |        Link Control 3                                           | +0x04
 * |        Lane Error Status (bit n = lane n)                       | +0x08
 * +--------------------------------+--------------------------------+
 * |  Lane Equalization Control 1   |  Lane Equalization Control 0   | +0x0C
 * |  ...                             (Maximum Link Width entries)   |
 * +--------------------------------+--------------------------------+
 *
 * Link Control 3: 15:9 Enable Lower SKP OS Generation Vector,
 *   1 Link Equalization Request Interrupt Enable, 0 Perform Equalization
 * Lane Equalization Control: 14:12 Upstream Port 8.0 GT/s Receiver Preset Hint,
 *   11:8 Upstream Port 8.0 GT/s Transmitter Preset, 6:4 Downstream Port 8.0 GT/s Receiver
 *   Preset Hint, 3:0 Downstream Port 8.0 GT/s Transmitter Preset
 * </pre>
 *
 * @param cs     the bytes
 * @param offset where the capability header is
 * @param lanes  lanes to decode: the Maximum Link Width of the function's PCI Express capability
 *               (as the catalogue sizes the structure; {@link DeviceTraits#laneCount()}), 0-32
 */
public record SecondaryPcieView(ConfigSpace cs, int offset, int lanes) implements CapabilityView {

    public SecondaryPcieView {
        lanes = Math.clamp(lanes, 0, DeviceTraits.MAX_LINK_WIDTH);
    }

    /** Link Control 3, 32 bits. */
    public static final int LINK_CONTROL3 = 0x04;
    public static final int PERFORM_EQUALIZATION = 1;
    public static final int EQUALIZATION_REQUEST_INTERRUPT = 1 << 1;
    public static final int LOWER_SKP_GENERATION_SHIFT = 9;
    public static final int LOWER_SKP_GENERATION_MASK = 0x7F << LOWER_SKP_GENERATION_SHIFT;

    /** Lane Error Status, 32 bits. */
    public static final int LANE_ERROR_STATUS = LINK_CONTROL3 + 4;

    /** Lane Equalization Control of lane 0; lane n at {@code + 2n}, 16 bits each. */
    public static final int LANE_EQUALIZATION_CONTROL = LANE_ERROR_STATUS + 4;
    public static final int LANE_REGISTER_SIZE = 2;
    public static final int DSP_TRANSMITTER_PRESET_MASK = 0xF;
    public static final int DSP_RECEIVER_HINT_SHIFT = 4;
    public static final int DSP_RECEIVER_HINT_MASK = 0x7 << DSP_RECEIVER_HINT_SHIFT;
    public static final int USP_TRANSMITTER_PRESET_SHIFT = 8;
    public static final int USP_TRANSMITTER_PRESET_MASK = 0xF << USP_TRANSMITTER_PRESET_SHIFT;
    public static final int USP_RECEIVER_HINT_SHIFT = 12;
    public static final int USP_RECEIVER_HINT_MASK = 0x7 << USP_RECEIVER_HINT_SHIFT;

    @Override
    public CapabilityKind kind() {
        return ExtendedCapability.SECONDARY_PCIE;
    }

    public int linkControl3() {
        return read32(LINK_CONTROL3);
    }

    public boolean performEqualization() {
        return (linkControl3() & PERFORM_EQUALIZATION) != 0;
    }

    public boolean equalizationRequestInterruptEnable() {
        return (linkControl3() & EQUALIZATION_REQUEST_INTERRUPT) != 0;
    }

    /** Lane Error Status: bit n set when lane n detected an error. */
    public int laneErrorStatus() {
        return read32(LANE_ERROR_STATUS);
    }

    /** Lane Equalization Control of {@code lane}; 0 outside the decoded lanes. */
    public int laneEqualizationControl(int lane) {
        return lane >= 0 && lane < lanes ? read16(LANE_EQUALIZATION_CONTROL + LANE_REGISTER_SIZE * lane) : 0;
    }

    @Override
    public List<RegisterField> fields() {
        FieldList f = new FieldList(this).extendedHeader();
        f.register("Link Control 3", LINK_CONTROL3, 4)
                .flag("Perform Equalization", PERFORM_EQUALIZATION)
                .flag("Link Equalization Request Interrupt Enable", EQUALIZATION_REQUEST_INTERRUPT)
                .add("Enable Lower SKP OS Generation Vector", LOWER_SKP_GENERATION_MASK, Text::speedVector);
        f.register("Lane Error Status", LANE_ERROR_STATUS, 4).whole("Lane Error Status");
        for (int lane = 0; lane < lanes; lane++) {
            f.register("Lane Equalization Control " + lane, LANE_EQUALIZATION_CONTROL + LANE_REGISTER_SIZE * lane, 2)
                    .number("Downstream Port 8.0 GT/s Transmitter Preset", DSP_TRANSMITTER_PRESET_MASK)
                    .number("Downstream Port 8.0 GT/s Receiver Preset Hint", DSP_RECEIVER_HINT_MASK)
                    .number("Upstream Port 8.0 GT/s Transmitter Preset", USP_TRANSMITTER_PRESET_MASK)
                    .number("Upstream Port 8.0 GT/s Receiver Preset Hint", USP_RECEIVER_HINT_MASK);
        }
        return f.list();
    }
}
