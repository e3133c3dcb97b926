package dev.vcap.pci.decode;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.Hex;
import java.util.List;

/**
 * Vendor-Specific Extended Capability (VSEC), ID 0x0B (PCIe base spec 7.9.5). The header names the
 * vendor's structure (interpreted with the function's Vendor ID) and its length.
 *
 * <pre>
 *  31            20 19  16 15                                      0
 * +----------------+------+-----------------------------------------+
 * |        Extended Capability Header (ID 0x000B)                   | +0x00
 * +----------------+------+-----------------------------------------+
 * |  VSEC Length   | Rev  |            VSEC ID                      | +0x04
 * +----------------+------+-----------------------------------------+
 * |        vendor-specific registers, to VSEC Length bytes          | +0x08
 * +-----------------------------------------------------------------+
 * </pre>
 *
 * @param cs     the bytes
 * @param offset where the capability header is
 */
public record VsecView(ConfigSpace cs, int offset) implements CapabilityView {

    /** Vendor-Specific Header, 32 bits. */
    public static final int VENDOR_HEADER = 0x04;
    public static final int ID_MASK = 0xFFFF;
    public static final int REVISION_SHIFT = 16;
    public static final int REVISION_MASK = 0xF << REVISION_SHIFT;
    public static final int LENGTH_SHIFT = 20;
    public static final int LENGTH_MASK = 0xFFF << LENGTH_SHIFT;

    @Override
    public CapabilityKind kind() {
        return ExtendedCapability.VENDOR;
    }

    public int vendorHeader() {
        return read32(VENDOR_HEADER);
    }

    public int vsecId() {
        return vendorHeader() & ID_MASK;
    }

    public int vsecRevision() {
        return (vendorHeader() & REVISION_MASK) >>> REVISION_SHIFT;
    }

    /** VSEC Length: bytes in the structure, header included. */
    public int vsecLength() {
        return (vendorHeader() & LENGTH_MASK) >>> LENGTH_SHIFT;
    }

    @Override
    public List<RegisterField> fields() {
        FieldList f = new FieldList(this).extendedHeader();
        f.register("Vendor-Specific Header", VENDOR_HEADER, 4)
                .add("VSEC ID", ID_MASK, v -> Hex.padded(v, 4))
                .number("VSEC Rev", REVISION_MASK)
                .number("VSEC Length", LENGTH_MASK);
        return f.list();
    }
}
