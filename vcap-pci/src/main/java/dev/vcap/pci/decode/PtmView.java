package dev.vcap.pci.decode;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import java.util.List;

/**
 * Precision Time Measurement (PTM) extended capability, ID 0x1F, 12 bytes (PCIe base spec 7.9.15).
 *
 * <pre>
 *  31                            16 15              8 7            0
 * +--------------------------------+-----------------+--------------+
 * |        Extended Capability Header (ID 0x001F)                   | +0x00
 * +--------------------------------+-----------------+--------------+
 * |        reserved                | Local Clock Gr. | PTM Cap bits | +0x04
 * +--------------------------------+-----------------+--------------+
 * |        reserved                | Effective Gran. | PTM Ctl bits | +0x08
 * +--------------------------------+-----------------+--------------+
 *
 * PTM Capability: 15:8 Local Clock Granularity (ns; 0 not implemented, 255 greater than 254 ns),
 *   4 PTM Propagation Delay Adaptation Capable, 3 ePTM Capable, 2 PTM Root Capable,
 *   1 PTM Responder Capable, 0 PTM Requester Capable
 * PTM Control: 15:8 Effective Granularity (ns; 0 unknown), 1 Root Select, 0 PTM Enable
 * </pre>
 *
 * @param cs     the bytes
 * @param offset where the capability header is
 */
public record PtmView(ConfigSpace cs, int offset) implements CapabilityView {

    /** PTM Capability register, 32 bits. */
    public static final int CAPABILITY = 0x04;
    public static final int REQUESTER_CAPABLE = 1;
    public static final int RESPONDER_CAPABLE = 1 << 1;
    public static final int ROOT_CAPABLE = 1 << 2;
    public static final int EPTM_CAPABLE = 1 << 3;
    public static final int PROPAGATION_DELAY_ADAPTATION_CAPABLE = 1 << 4;
    public static final int GRANULARITY_SHIFT = 8;
    public static final int GRANULARITY_MASK = 0xFF << GRANULARITY_SHIFT;

    /** PTM Control register, 32 bits; its granularity field uses {@link #GRANULARITY_MASK}. */
    public static final int CONTROL = CAPABILITY + 4;
    public static final int ENABLE = 1;
    public static final int ROOT_SELECT = 1 << 1;

    /** Size of the structure. */
    public static final int LENGTH = CONTROL + 4;

    @Override
    public CapabilityKind kind() {
        return ExtendedCapability.PTM;
    }

    public int capability() {
        return read32(CAPABILITY);
    }

    public boolean requesterCapable() {
        return (capability() & REQUESTER_CAPABLE) != 0;
    }

    public boolean responderCapable() {
        return (capability() & RESPONDER_CAPABLE) != 0;
    }

    public boolean rootCapable() {
        return (capability() & ROOT_CAPABLE) != 0;
    }

    /** Local Clock Granularity in ns (0 not implemented, 255 greater than 254 ns). */
    public int localClockGranularity() {
        return (capability() & GRANULARITY_MASK) >>> GRANULARITY_SHIFT;
    }

    public int control() {
        return read32(CONTROL);
    }

    public boolean enabled() {
        return (control() & ENABLE) != 0;
    }

    public boolean rootSelected() {
        return (control() & ROOT_SELECT) != 0;
    }

    /** Effective Granularity in ns (0 unknown, 255 greater than 254 ns). */
    public int effectiveGranularity() {
        return (control() & GRANULARITY_MASK) >>> GRANULARITY_SHIFT;
    }

    private static String granularity(long v, String zero) {
        return v == 0 ? zero : v == 0xFF ? "greater than 254ns" : v + "ns";
    }

    @Override
    public List<RegisterField> fields() {
        FieldList f = new FieldList(this).extendedHeader();
        f.register("PTM Capability", CAPABILITY, 4)
                .flag("PTM Requester Capable", REQUESTER_CAPABLE)
                .flag("PTM Responder Capable", RESPONDER_CAPABLE)
                .flag("PTM Root Capable", ROOT_CAPABLE)
                .flag("ePTM Capable", EPTM_CAPABLE)
                .flag("PTM Propagation Delay Adaptation Capable", PROPAGATION_DELAY_ADAPTATION_CAPABLE)
                .add("Local Clock Granularity", GRANULARITY_MASK, v -> granularity(v, "not implemented"));
        f.register("PTM Control", CONTROL, 4)
                .flag("PTM Enable", ENABLE)
                .flag("Root Select", ROOT_SELECT)
                .add("Effective Granularity", GRANULARITY_MASK, v -> granularity(v, "unknown"));
        return f.list();
    }
}
