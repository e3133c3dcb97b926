package dev.vcap.pci.decode;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import java.util.List;

/**
 * Alternative Routing-ID Interpretation (ARI) extended capability, ID 0x0E, 8 bytes (PCIe base
 * spec 7.8.7).
 *
 * <pre>
 *  31                            16 15              8 7            0
 * +--------------------------------+-----------------+--------------+
 * |        Extended Capability Header (ID 0x000E)                   | +0x00
 * +--------------------------------+-----------------+--------------+
 * |        ARI Control             | Next Function # | ARI Cap bits | +0x04
 * +--------------------------------+-----------------+--------------+
 *
 * ARI Capability: 15:8 Next Function Number, 1 ACS Function Groups Capability,
 *                 0 MFVC Function Groups Capability
 * ARI Control:    6:4 Function Group, 1 ACS Function Groups Enable, 0 MFVC Function Groups Enable
 * </pre>
 *
 * @param cs     the bytes
 * @param offset where the capability header is
 */
public record AriView(ConfigSpace cs, int offset) implements CapabilityView {

    /** ARI Capability register, 16 bits. */
    public static final int CAPABILITY = 0x04;
    public static final int MFVC_FUNCTION_GROUPS = 1;
    public static final int ACS_FUNCTION_GROUPS = 1 << 1;
    public static final int NEXT_FUNCTION_SHIFT = 8;
    public static final int NEXT_FUNCTION_MASK = 0xFF << NEXT_FUNCTION_SHIFT;

    /** ARI Control register, 16 bits. */
    public static final int CONTROL = CAPABILITY + 2;
    public static final int MFVC_FUNCTION_GROUPS_ENABLE = 1;
    public static final int ACS_FUNCTION_GROUPS_ENABLE = 1 << 1;
    public static final int FUNCTION_GROUP_SHIFT = 4;
    public static final int FUNCTION_GROUP_MASK = 0x7 << FUNCTION_GROUP_SHIFT;

    /** Size of the structure. */
    public static final int LENGTH = CONTROL + 2;

    @Override
    public CapabilityKind kind() {
        return ExtendedCapability.ARI;
    }

    public int capability() {
        return read16(CAPABILITY);
    }

    public boolean mfvcFunctionGroups() {
        return (capability() & MFVC_FUNCTION_GROUPS) != 0;
    }

    public boolean acsFunctionGroups() {
        return (capability() & ACS_FUNCTION_GROUPS) != 0;
    }

    /** Function number of the next function of the device, 0 for the last. */
    public int nextFunctionNumber() {
        return (capability() & NEXT_FUNCTION_MASK) >>> NEXT_FUNCTION_SHIFT;
    }

    public int control() {
        return read16(CONTROL);
    }

    public int functionGroup() {
        return (control() & FUNCTION_GROUP_MASK) >>> FUNCTION_GROUP_SHIFT;
    }

    @Override
    public List<RegisterField> fields() {
        FieldList f = new FieldList(this).extendedHeader();
        f.register("ARI Capability", CAPABILITY, 2)
                .flag("MFVC Function Groups Capability", MFVC_FUNCTION_GROUPS)
                .flag("ACS Function Groups Capability", ACS_FUNCTION_GROUPS)
                .number("Next Function Number", NEXT_FUNCTION_MASK);
        f.register("ARI Control", CONTROL, 2)
                .flag("MFVC Function Groups Enable", MFVC_FUNCTION_GROUPS_ENABLE)
                .flag("ACS Function Groups Enable", ACS_FUNCTION_GROUPS_ENABLE)
                .number("Function Group", FUNCTION_GROUP_MASK);
        return f.list();
    }
}
