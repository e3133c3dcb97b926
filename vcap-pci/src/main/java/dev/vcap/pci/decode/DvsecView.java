package dev.vcap.pci.decode;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.Hex;
import java.util.List;

/**
 * Designated Vendor-Specific Extended Capability (DVSEC), ID 0x23 (PCIe base spec 7.9.6). Unlike a
 * VSEC, it names its vendor itself, so any function may carry another vendor's (or a consortium's,
 * such as CXL's 0x1E98) structure.
 *
 * <pre>
 *  31            20 19  16 15                                      0
 * +----------------+------+-----------------------------------------+
 * |        Extended Capability Header (ID 0x0023)                   | +0x00
 * +----------------+------+-----------------------------------------+
 * |  DVSEC Length  | Rev  |         DVSEC Vendor ID                 | +0x04  Header 1
 * +----------------+------+---------------+-------------------------+
 * |        vendor-specific                |      DVSEC ID           | +0x08  Header 2 (16 bits)
 * +---------------------------------------+-------------------------+
 * </pre>
 *
 * @param cs     the bytes
 * @param offset where the capability header is
 */
public record DvsecView(ConfigSpace cs, int offset) implements CapabilityView {

    /** Designated Vendor-Specific Header 1, 32 bits. */
    public static final int HEADER1 = 0x04;
    public static final int VENDOR_ID_MASK = 0xFFFF;
    public static final int REVISION_SHIFT = 16;
    public static final int REVISION_MASK = 0xF << REVISION_SHIFT;
    public static final int LENGTH_SHIFT = 20;
    public static final int LENGTH_MASK = 0xFFF << LENGTH_SHIFT;

    /** Designated Vendor-Specific Header 2, 16 bits. */
    public static final int HEADER2 = HEADER1 + 4;
    public static final int ID_MASK = 0xFFFF;

    /** Bytes every DVSEC has: both headers. */
    public static final int MIN_LENGTH = HEADER2 + 2;

    @Override
    public CapabilityKind kind() {
        return ExtendedCapability.DVSEC;
    }

    public int dvsecVendorId() {
        return read32(HEADER1) & VENDOR_ID_MASK;
    }

    public int dvsecRevision() {
        return (read32(HEADER1) & REVISION_MASK) >>> REVISION_SHIFT;
    }

    /** DVSEC Length: bytes in the structure, header included. */
    public int dvsecLength() {
        return (read32(HEADER1) & LENGTH_MASK) >>> LENGTH_SHIFT;
    }

    public int dvsecId() {
        return read16(HEADER2) & ID_MASK;
    }

    @Override
    public List<RegisterField> fields() {
        FieldList f = new FieldList(this).extendedHeader();
        f.register("Designated Vendor-Specific Header 1", HEADER1, 4)
                .add("DVSEC Vendor ID", VENDOR_ID_MASK, v -> Hex.padded(v, 4))
                .number("DVSEC Revision", REVISION_MASK)
                .number("DVSEC Length", LENGTH_MASK);
        f.register("Designated Vendor-Specific Header 2", HEADER2, 2).add("DVSEC ID", ID_MASK, v -> Hex.padded(v, 4));
        return f.list();
    }
}
