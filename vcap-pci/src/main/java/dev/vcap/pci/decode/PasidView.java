package dev.vcap.pci.decode;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import java.util.List;

/**
 * Process Address Space ID (PASID) extended capability, ID 0x1B, 8 bytes (PCIe base spec 7.8.8).
 *
 * <pre>
 *  31                            16 15                             0
 * +--------------------------------+--------------------------------+
 * |        Extended Capability Header (ID 0x001B)                   | +0x00
 * +--------------------------------+--------------------------------+
 * |        PASID Control           |        PASID Capability        | +0x04
 * +--------------------------------+--------------------------------+
 *
 * PASID Capability (RO):  12:8 Max PASID Width, 2 Privileged Mode Supported,
 *                         1 Execute Permission Supported
 * PASID Control (RW):     2 Privileged Mode Enable, 1 Execute Permission Enable, 0 PASID Enable
 * </pre>
 *
 * @param cs     the bytes
 * @param offset where the capability header is
 */
public record PasidView(ConfigSpace cs, int offset) implements CapabilityView {

    /** PASID Capability register, 16 bits. */
    public static final int CAPABILITY = 0x04;
    public static final int EXEC_SUPPORTED = 1 << 1;
    public static final int PRIVILEGED_SUPPORTED = 1 << 2;
    public static final int MAX_WIDTH_SHIFT = 8;
    public static final int MAX_WIDTH_MASK = 0x1F << MAX_WIDTH_SHIFT;

    /** PASID Control register, 16 bits. */
    public static final int CONTROL = CAPABILITY + 2;
    public static final int ENABLE = 1;
    public static final int EXEC_ENABLE = 1 << 1;
    public static final int PRIVILEGED_ENABLE = 1 << 2;

    /** Size of the structure. */
    public static final int LENGTH = CONTROL + 2;

    @Override
    public CapabilityKind kind() {
        return ExtendedCapability.PASID;
    }

    public int capability() {
        return read16(CAPABILITY);
    }

    public boolean execSupported() {
        return (capability() & EXEC_SUPPORTED) != 0;
    }

    public boolean privilegedSupported() {
        return (capability() & PRIVILEGED_SUPPORTED) != 0;
    }

    /** Max PASID Width: the device supports PASIDs of this many bits (1..20; 0 is out of spec). */
    public int maxPasidWidth() {
        return (capability() & MAX_WIDTH_MASK) >>> MAX_WIDTH_SHIFT;
    }

    public int control() {
        return read16(CONTROL);
    }

    public boolean enabled() {
        return (control() & ENABLE) != 0;
    }

    public boolean execEnabled() {
        return (control() & EXEC_ENABLE) != 0;
    }

    public boolean privilegedEnabled() {
        return (control() & PRIVILEGED_ENABLE) != 0;
    }

    @Override
    public List<RegisterField> fields() {
        FieldList f = new FieldList(this).extendedHeader();
        f.register("PASID Capability", CAPABILITY, 2)
                .flag("Execute Permission Supported", EXEC_SUPPORTED)
                .flag("Privileged Mode Supported", PRIVILEGED_SUPPORTED)
                .add("Max PASID Width", MAX_WIDTH_MASK, v -> v + " bits");
        f.register("PASID Control", CONTROL, 2)
                .flag("PASID Enable", ENABLE)
                .flag("Execute Permission Enable", EXEC_ENABLE)
                .flag("Privileged Mode Enable", PRIVILEGED_ENABLE);
        return f.list();
    }
}
