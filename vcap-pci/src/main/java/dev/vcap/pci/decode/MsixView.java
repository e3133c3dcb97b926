package dev.vcap.pci.decode;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import java.util.List;

/**
 * MSI-X capability, ID 0x11, 12 bytes (PCIe base spec 7.7.2). The vector table and the pending-bit
 * array live in memory space, in the BARs named here.
 *
 * <pre>
 *  31                            16 15              8 7            0
 * +--------------------------------+-----------------+--------------+
 * |        Message Control         |    Next Ptr     |   ID 0x11    | +0x00
 * +--------------------------------+-----------------+----------+---+
 * |        Table Offset (31:3)                                  |BIR| +0x04
 * +-------------------------------------------------------------+---+
 * |        PBA Offset (31:3)                                    |BIR| +0x08
 * +-------------------------------------------------------------+---+
 *
 * Message Control: 15 MSI-X Enable, 14 Function Mask, 10:0 Table Size (N-1)
 * </pre>
 *
 * @param cs     the bytes
 * @param offset where the capability is
 */
public record MsixView(ConfigSpace cs, int offset) implements CapabilityView {

    /** Message Control, 16 bits. */
    public static final int MESSAGE_CONTROL = 0x02;
    public static final int TABLE_SIZE_MASK = 0x7FF;
    public static final int FUNCTION_MASK = 1 << 14;
    public static final int ENABLE = 1 << 15;

    /** Table Offset/Table BIR, 32 bits. */
    public static final int TABLE = 0x04;
    /** PBA Offset/PBA BIR, 32 bits. */
    public static final int PBA = 0x08;
    public static final int BIR_MASK = 0x7;
    public static final int OFFSET_MASK = ~BIR_MASK;

    /** Size of the structure. */
    public static final int LENGTH = PBA + 4;

    @Override
    public CapabilityKind kind() {
        return StandardCapability.MSIX;
    }

    public int messageControl() {
        return read16(MESSAGE_CONTROL);
    }

    /** Vectors in the table (Table Size + 1). */
    public int tableSize() {
        return (messageControl() & TABLE_SIZE_MASK) + 1;
    }

    public boolean functionMask() {
        return (messageControl() & FUNCTION_MASK) != 0;
    }

    public boolean enabled() {
        return (messageControl() & ENABLE) != 0;
    }

    public int tableBir() {
        return read32(TABLE) & BIR_MASK;
    }

    /** Byte offset of the vector table in its BAR. */
    public long tableOffset() {
        return Integer.toUnsignedLong(read32(TABLE) & OFFSET_MASK);
    }

    public int pbaBir() {
        return read32(PBA) & BIR_MASK;
    }

    /** Byte offset of the pending-bit array in its BAR. */
    public long pbaOffset() {
        return Integer.toUnsignedLong(read32(PBA) & OFFSET_MASK);
    }

    @Override
    public List<RegisterField> fields() {
        FieldList f = new FieldList(this).standardHeader();
        f.register("Message Control", MESSAGE_CONTROL, 2)
                .add("Table Size", TABLE_SIZE_MASK, v -> (v + 1) + " vectors")
                .flag("Function Mask", FUNCTION_MASK)
                .flag("MSI-X Enable", ENABLE);
        f.register("Table Offset/Table BIR", TABLE, 4)
                .number("Table BIR", BIR_MASK)
                .add("Table Offset", OFFSET_MASK, v -> String.format("0x%08x", v << 3));
        f.register("PBA Offset/PBA BIR", PBA, 4)
                .number("PBA BIR", BIR_MASK)
                .add("PBA Offset", OFFSET_MASK, v -> String.format("0x%08x", v << 3));
        return f.list();
    }
}
