package dev.vcap.pci.decode;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import java.util.List;

/**
 * Resizable BAR extended capability, ID 0x15 (PCIe base spec 7.8.6), and the VF Resizable BAR
 * capability, ID 0x24 (9.3.7.5), which has the same layout: one 8-byte entry per resizable BAR,
 * the number of entries in the first entry's control register.
 *
 * <pre>
 *  31                            16 15   13 12     8 7   5 4  3 2  0
 * +-----------------------------------------------------------------+
 * |        Extended Capability Header (ID 0x0015 / 0x0024)          | +0x00
 * +-----------------------------------------------------------------+
 * |        Resizable BAR Capability (31:4 sizes 1 MB .. 128 TB)     | +0x04 + 8n
 * +--------------------------------+-------+-------+-----+---+------+
 * | sizes 256 TB .. 8 EB (31:16)   |       |BAR Sz |#BARs|   |Index | +0x08 + 8n
 * +--------------------------------+-------+-------+-----+---+------+
 *
 * Capability: bit n (4..31) set = a size of 2^(n-4) MB is supported
 * Control: 31:16 further sizes (bit n = 2^(n-4) MB), 13:8 BAR Size (2^size MB),
 *   7:5 Number of Resizable BARs (first entry only), 2:0 BAR Index
 * </pre>
 *
 * <p>A control register that announces no BARs (out of spec) still has its first entry decoded:
 * the count lives in that entry.
 *
 * @param cs     the bytes
 * @param offset where the capability header is
 */
public record ResizableBarView(ConfigSpace cs, int offset) implements CapabilityView {

    /** First entry's capability register; entry n is at {@code CAPABILITY + n * ENTRY_SIZE}. */
    public static final int CAPABILITY = 0x04;
    /** First entry's control register. */
    public static final int CONTROL = CAPABILITY + 4;
    public static final int ENTRY_SIZE = 8;
    public static final int CAP_SIZES_MASK = 0xFFFF_FFF0;
    public static final int CAP_SIZES_SHIFT = 4;
    public static final int CTRL_BAR_INDEX_MASK = 0x7;
    public static final int CTRL_BAR_COUNT_SHIFT = 5;
    public static final int CTRL_BAR_COUNT_MASK = 0x7 << CTRL_BAR_COUNT_SHIFT;
    public static final int CTRL_BAR_SIZE_SHIFT = 8;
    public static final int CTRL_BAR_SIZE_MASK = 0x3F << CTRL_BAR_SIZE_SHIFT;
    public static final int CTRL_SIZES_SHIFT = 16;
    public static final int CTRL_SIZES_MASK = 0xFFFF << CTRL_SIZES_SHIFT;

    @Override
    public CapabilityKind kind() {
        boolean vf = cs.captured(offset, 4)
                && ExtendedCapability.headerId(cs.u32(offset)) == ExtendedCapability.VF_RESIZABLE_BAR.id();
        return vf
                ? ExtendedCapability.VF_RESIZABLE_BAR
                : ExtendedCapability.RESIZABLE_BAR;
    }

    /** Number of Resizable BARs, as the first control register announces it (0-7). */
    public int barCount() {
        return (read32(CONTROL) & CTRL_BAR_COUNT_MASK) >>> CTRL_BAR_COUNT_SHIFT;
    }

    /** Entries decoded: the announced count, at least 1. */
    public int entries() {
        return Math.max(1, barCount());
    }

    public int capability(int entry) {
        return read32(CAPABILITY + entry * ENTRY_SIZE);
    }

    public int control(int entry) {
        return read32(CONTROL + entry * ENTRY_SIZE);
    }

    /** The BAR (0-5) that entry {@code entry} resizes. */
    public int barIndex(int entry) {
        return control(entry) & CTRL_BAR_INDEX_MASK;
    }

    /** The BAR Size field: the BAR is 2^field MB. */
    public int barSize(int entry) {
        return (control(entry) & CTRL_BAR_SIZE_MASK) >>> CTRL_BAR_SIZE_SHIFT;
    }

    /** Current size of entry {@code entry}'s BAR in bytes. */
    public long currentSizeBytes(int entry) {
        int size = barSize(entry);
        return size < 43 ? 1L << 20 + size : -1;
    }

    /**
     * Supported sizes as a vector: bit n set = 2^n MB supported (n = 0..35), from the capability
     * register's bits 31:4 and the control register's bits 31:16.
     */
    public long supportedSizes(int entry) {
        long low = Integer.toUnsignedLong(capability(entry) & CAP_SIZES_MASK) >>> CAP_SIZES_SHIFT;
        long high = Integer.toUnsignedLong(control(entry) & CTRL_SIZES_MASK) >>> CTRL_SIZES_SHIFT;
        return low | high << 28;
    }

    private static String sizes(long vector, int firstBit) {
        StringBuilder sb = new StringBuilder();
        for (int bit = 0; bit < 64; bit++) {
            if ((vector & 1L << bit) != 0) {
                int log2mb = firstBit + bit;
                sb.append(sb.isEmpty() ? "" : " ").append(log2mb < 43 ? Text.size(1L << 20 + log2mb) : "2^" + log2mb + "MB");
            }
        }
        return sb.isEmpty() ? "none" : sb.toString();
    }

    @Override
    public List<RegisterField> fields() {
        FieldList f = new FieldList(this).extendedHeader();
        for (int n = 0; n < entries(); n++) {
            int at = n * ENTRY_SIZE;
            f.register("Resizable BAR Capability " + n, CAPABILITY + at, 4)
                    .add("Supported BAR Sizes", CAP_SIZES_MASK, v -> sizes(v, 0));
            FieldList.Register ctrl = f.register("Resizable BAR Control " + n, CONTROL + at, 4)
                    .number("BAR Index", CTRL_BAR_INDEX_MASK);
            if (n == 0) {
                ctrl.number("Number of Resizable BARs", CTRL_BAR_COUNT_MASK);
            }
            ctrl.add("BAR Size", CTRL_BAR_SIZE_MASK, v -> v < 43 ? v + " (" + Text.size(1L << 20 + v) + ")" : Long.toString(v))
                    .add("Supported BAR Sizes (upper)", CTRL_SIZES_MASK, v -> sizes(v, 28));
        }
        return f.list();
    }
}
