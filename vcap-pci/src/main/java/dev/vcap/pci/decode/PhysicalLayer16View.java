package dev.vcap.pci.decode;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import java.util.List;

/**
 * Physical Layer 16.0 GT/s extended capability, ID 0x26 (PCIe base spec 7.7.5): 16 GT/s
 * equalization status, data parity mismatch status, and one 8-bit Lane Equalization Control
 * register per lane.
 *
 * <pre>
 *  31                                                              0
 * +-----------------------------------------------------------------+
 * |        Extended Capability Header (ID 0x0026)                   | +0x00
 * |        16.0 GT/s Capabilities (reserved)                        | +0x04
 * |        16.0 GT/s Control (reserved)                             | +0x08
 * |        16.0 GT/s Status                                         | +0x0C
 * |        16.0 GT/s Local Data Parity Mismatch Status (per lane)   | +0x10
 * |        16.0 GT/s First Retimer Data Parity Mismatch Status      | +0x14
 * |        16.0 GT/s Second Retimer Data Parity Mismatch Status     | +0x18
 * |        reserved                                                 | +0x1C
 * +--------+--------+--------+--------------------------------------+
 * | lane 3 | lane 2 | lane 1 | lane 0 |  Lane Equalization Control   | +0x20 (Maximum Link Width bytes)
 * +--------+--------+--------+--------+-----------------------------+
 *
 * Status: 4 Link Equalization Request 16.0 GT/s, 3 Equalization 16.0 GT/s Phase 3 Successful,
 *   2 Phase 2 Successful, 1 Phase 1 Successful, 0 Equalization 16.0 GT/s Complete
 * Lane Equalization Control: 7:4 Upstream Port 16.0 GT/s Transmitter Preset,
 *   3:0 Downstream Port 16.0 GT/s Transmitter Preset
 * </pre>
 *
 * @param cs     the bytes
 * @param offset where the capability header is
 * @param lanes  lanes to decode: the Maximum Link Width, as the catalogue sizes the structure (0-32)
 */
public record PhysicalLayer16View(ConfigSpace cs, int offset, int lanes) implements CapabilityView {

    public PhysicalLayer16View {
        lanes = Math.clamp(lanes, 0, DeviceTraits.MAX_LINK_WIDTH);
    }

    public static final int CAPABILITIES = 0x04;
    public static final int CONTROL = 0x08;
    public static final int STATUS = 0x0C;
    public static final int EQUALIZATION_COMPLETE = 1;
    public static final int EQUALIZATION_PHASE1 = 1 << 1;
    public static final int EQUALIZATION_PHASE2 = 1 << 2;
    public static final int EQUALIZATION_PHASE3 = 1 << 3;
    public static final int EQUALIZATION_REQUEST = 1 << 4;
    public static final int LOCAL_PARITY_MISMATCH = 0x10;
    public static final int FIRST_RETIMER_PARITY_MISMATCH = 0x14;
    public static final int SECOND_RETIMER_PARITY_MISMATCH = 0x18;
    /** Lane Equalization Control of lane 0; lane n at {@code + n}, 8 bits each. */
    public static final int LANE_EQUALIZATION_CONTROL = 0x20;
    public static final int DSP_TRANSMITTER_PRESET_MASK = 0x0F;
    public static final int USP_TRANSMITTER_PRESET_SHIFT = 4;
    public static final int USP_TRANSMITTER_PRESET_MASK = 0xF << USP_TRANSMITTER_PRESET_SHIFT;

    @Override
    public CapabilityKind kind() {
        return ExtendedCapability.PHYSICAL_LAYER_16;
    }

    public int status() {
        return read32(STATUS);
    }

    public boolean equalizationComplete() {
        return (status() & EQUALIZATION_COMPLETE) != 0;
    }

    public int localDataParityMismatchStatus() {
        return read32(LOCAL_PARITY_MISMATCH);
    }

    public int firstRetimerDataParityMismatchStatus() {
        return read32(FIRST_RETIMER_PARITY_MISMATCH);
    }

    public int secondRetimerDataParityMismatchStatus() {
        return read32(SECOND_RETIMER_PARITY_MISMATCH);
    }

    /** Lane Equalization Control of {@code lane}; 0 outside the decoded lanes. */
    public int laneEqualizationControl(int lane) {
        return lane >= 0 && lane < lanes ? read8(LANE_EQUALIZATION_CONTROL + lane) : 0;
    }

    static void equalizationStatus(FieldList.Register r, String rate) {
        r.flag("Equalization " + rate + " Complete", EQUALIZATION_COMPLETE)
                .flag("Equalization " + rate + " Phase 1 Successful", EQUALIZATION_PHASE1)
                .flag("Equalization " + rate + " Phase 2 Successful", EQUALIZATION_PHASE2)
                .flag("Equalization " + rate + " Phase 3 Successful", EQUALIZATION_PHASE3)
                .flag("Link Equalization Request " + rate, EQUALIZATION_REQUEST);
    }

    static void laneEqualization(FieldList f, int lanes, String rate) {
        for (int lane = 0; lane < lanes; lane++) {
            f.register("Lane Equalization Control " + lane, LANE_EQUALIZATION_CONTROL + lane, 1)
                    .number("Downstream Port " + rate + " Transmitter Preset", DSP_TRANSMITTER_PRESET_MASK)
                    .number("Upstream Port " + rate + " Transmitter Preset", USP_TRANSMITTER_PRESET_MASK);
        }
    }

    @Override
    public List<RegisterField> fields() {
        FieldList f = new FieldList(this).extendedHeader();
        f.register("16.0 GT/s Capabilities", CAPABILITIES, 4).whole("16.0 GT/s Capabilities (reserved)");
        f.register("16.0 GT/s Control", CONTROL, 4).whole("16.0 GT/s Control (reserved)");
        equalizationStatus(f.register("16.0 GT/s Status", STATUS, 4), "16.0 GT/s");
        f.register("16.0 GT/s Local Data Parity Mismatch Status", LOCAL_PARITY_MISMATCH, 4)
                .whole("Local Data Parity Mismatch Status");
        f.register("16.0 GT/s First Retimer Data Parity Mismatch Status", FIRST_RETIMER_PARITY_MISMATCH, 4)
                .whole("First Retimer Data Parity Mismatch Status");
        f.register("16.0 GT/s Second Retimer Data Parity Mismatch Status", SECOND_RETIMER_PARITY_MISMATCH, 4)
                .whole("Second Retimer Data Parity Mismatch Status");
        laneEqualization(f, lanes, "16.0 GT/s");
        return f.list();
    }
}
