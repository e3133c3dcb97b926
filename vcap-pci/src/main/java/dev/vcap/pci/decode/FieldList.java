package dev.vcap.pci.decode;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * Collects the {@link RegisterField}s of a view. Each field is named by its mask within the
 * register; the bit range and the shifted value are derived from the mask, so a view states every
 * mask once (as a constant) and both its accessors and its field list use it.
 */
final class FieldList {

    private final RegisterView view;
    private final List<RegisterField> out = new ArrayList<>();

    FieldList(RegisterView view) {
        this.view = view;
    }

    /** Starts a register of {@code width} bytes at {@code register} (relative to the structure). */
    Register register(String name, int register, int width) {
        return new Register(name, register, width);
    }

    /** The standard capability header: ID and next pointer. */
    FieldList standardHeader() {
        register("Capability Header", 0, 2)
                .hex("Capability ID", 0x00FF)
                .hex("Next Capability Pointer", 0xFF00);
        return this;
    }

    /** The extended capability header: ID, version and next offset. */
    FieldList extendedHeader() {
        register(RegisterField.EXTENDED_CAPABILITY_HEADER, 0, 4)
                .hex("PCI Express Extended Capability ID", 0x0000_FFFFL)
                .number("Capability Version", 0x000F_0000L)
                .hex("Next Capability Offset", 0xFFF0_0000L);
        return this;
    }

    /**
     * {@code count} Base Address Registers from {@code first}: each an I/O or memory BAR by its bit 0,
     * the dword after a 64-bit memory BAR as its upper half.
     */
    FieldList bars(String prefix, int first, int count) {
        for (int i = 0; i < count; i++) {
            int at = first + 4 * i;
            int raw = view.read32(at);
            Register r = register(prefix + " " + i, at, 4);
            if ((raw & HeaderView.BAR_IO_SPACE) != 0) {
                r.add("Space Indicator", HeaderView.BAR_IO_SPACE, v -> "I/O")
                        .add("Base Address", HeaderView.BAR_IO_ADDRESS_MASK & 0xFFFF_FFFFL,
                                v -> String.format("0x%x", v << 2));
                continue;
            }
            int type = (raw & HeaderView.BAR_MEMORY_TYPE_MASK) >>> HeaderView.BAR_MEMORY_TYPE_SHIFT;
            r.add("Space Indicator", HeaderView.BAR_IO_SPACE, v -> "memory")
                    .add("Memory Type", HeaderView.BAR_MEMORY_TYPE_MASK, v -> switch ((int) v) {
                        case 0 -> "32-bit";
                        case 1 -> "below 1M (obsolete)";
                        case HeaderView.BAR_MEMORY_TYPE_64 -> "64-bit";
                        default -> "reserved";
                    })
                    .flag("Prefetchable", HeaderView.BAR_PREFETCHABLE)
                    .add("Base Address", HeaderView.BAR_MEMORY_ADDRESS_MASK & 0xFFFF_FFFFL,
                            v -> String.format("0x%x", v << 4));
            if (type == HeaderView.BAR_MEMORY_TYPE_64 && i + 1 < count) {
                i++;
                register(prefix + " " + i, first + 4 * i, 4).hex("Base Address (upper 32 bits)", 0xFFFF_FFFFL);
            }
        }
        return this;
    }

    /** A page-size bit vector (bit n = 2^(n+12) bytes) in words. */
    static String pageSizes(long vector) {
        StringBuilder sb = new StringBuilder();
        for (int bit = 0; bit < 32; bit++) {
            if ((vector & 1L << bit) != 0) {
                sb.append(sb.isEmpty() ? "" : " ").append(Text.size(1L << bit + 12));
            }
        }
        return sb.isEmpty() ? "none" : sb.toString();
    }

    List<RegisterField> list() {
        return List.copyOf(out);
    }

    /** One register being described. */
    final class Register {
        private final String name;
        private final int register;
        private final int width;
        private final boolean captured;
        private final long value;

        private Register(String name, int register, int width) {
            this.name = name;
            this.register = register;
            this.width = width;
            this.captured = view.captured(register, width);
            this.value = view.read(register, width);
        }

        /** A single bit (or any field), shown as lspci shows flags: {@code +} or {@code -}. */
        Register flag(String field, long mask) {
            return add(field, mask, v -> v != 0 ? "+" : "-");
        }

        /** A field whose meaning is its decimal value. */
        Register number(String field, long mask) {
            return add(field, mask, Long::toString);
        }

        /** A field whose meaning is its hexadecimal value. */
        Register hex(String field, long mask) {
            return add(field, mask, v -> "0x" + Long.toHexString(v));
        }

        /** A field with its own meaning. */
        Register add(String field, long mask, LongFunction<String> meaning) {
            mask &= width >= 8 ? -1L : (1L << 8 * width) - 1; // int masks with bit 31 set arrive sign-extended
            if (mask == 0) {
                throw new IllegalArgumentException("empty mask for " + field);
            }
            int low = Long.numberOfTrailingZeros(mask);
            int high = 63 - Long.numberOfLeadingZeros(mask);
            long v = (value & mask) >>> low;
            out.add(new RegisterField(name, field, view.offset() + register, width, low, high, captured ? v : 0,
                    captured ? meaning.apply(v) : RegisterField.NOT_CAPTURED));
            return this;
        }

        /** The whole register as one field, in hex. */
        Register whole(String field) {
            return hex(field, width == 8 ? -1L : (1L << (8 * width)) - 1);
        }
    }
}
