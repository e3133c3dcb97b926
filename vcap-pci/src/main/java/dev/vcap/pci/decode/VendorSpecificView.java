package dev.vcap.pci.decode;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import java.util.List;

/**
 * Vendor-Specific capability (standard list), ID 0x09 (PCI Local Bus 3.0 section 6.8.4). Only its
 * length is architected; the rest belongs to the vendor.
 *
 * <pre>
 *  31             24 23            16 15              8 7            0
 * +-----------------+----------------+-----------------+--------------+
 * |  vendor data    | Capability Len |    Next Ptr     |   ID 0x09    | +0x00
 * +-----------------+----------------+-----------------+--------------+
 * |  vendor data ... up to Capability Length bytes from +0x00         |
 * +-------------------------------------------------------------------+
 * </pre>
 *
 * @param cs     the bytes
 * @param offset where the capability is
 */
public record VendorSpecificView(ConfigSpace cs, int offset) implements CapabilityView {

    /** Capability Length, 8 bits: bytes in the structure, header included. */
    public static final int CAPABILITY_LENGTH = 0x02;

    @Override
    public CapabilityKind kind() {
        return StandardCapability.VENDOR;
    }

    public int capabilityLength() {
        return read8(CAPABILITY_LENGTH);
    }

    @Override
    public List<RegisterField> fields() {
        FieldList f = new FieldList(this).standardHeader();
        f.register("Capability Length", CAPABILITY_LENGTH, 1).number("Capability Length", 0xFF);
        return f.list();
    }
}
