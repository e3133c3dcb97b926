package dev.vcap.pci.decode;

import dev.vcap.pci.config.ConfigSpace;
import java.util.List;

/**
 * A decoded view of one register structure (a capability or a header) bound to the bytes of a
 * {@link ConfigSpace}. Views hold no state of their own: every accessor reads the bytes when it is
 * called, little-endian as PCI defines, so a view of a mutable image follows its changes.
 *
 * <p><b>Truncated data.</b> A view is always created for a decodable structure, however few of its
 * bytes were captured. A register that does not lie wholly inside the captured bytes, or that would
 * run past the end of the structure's space ({@link #spaceEnd()}: 0x100 for standard capabilities and
 * headers, 0x1000 for extended capabilities), reads as 0, and its fields report
 * {@link RegisterField#NOT_CAPTURED}. Views never throw on device data.
 */
public sealed interface RegisterView permits CapabilityView, HeaderView {

    /** The bytes the view reads. */
    ConfigSpace cs();

    /** Where the structure starts in config space. */
    int offset();

    /** A name for people (the catalogue's display name for capabilities). */
    String name();

    /** Every named field of every register of the structure, in register order. */
    List<RegisterField> fields();

    /** First offset past the space the structure lives in; registers must end at or before it. */
    int spaceEnd();

    /** True when {@code width} bytes at {@code register} (relative to {@link #offset()}) can be read. */
    default boolean captured(int register, int width) {
        long at = (long) offset() + register;
        return at >= 0 && at + width <= spaceEnd() && cs().captured((int) at, width);
    }

    /** The byte at {@code register} (relative), 0 when not captured. */
    default int read8(int register) {
        return captured(register, 1) ? cs().u8(offset() + register) : 0;
    }

    /** The 16-bit register at {@code register} (relative), 0 when not captured. */
    default int read16(int register) {
        return captured(register, 2) ? cs().u16(offset() + register) : 0;
    }

    /** The 32-bit register at {@code register} (relative), 0 when not captured. */
    default int read32(int register) {
        return captured(register, 4) ? cs().u32(offset() + register) : 0;
    }

    /** The 64-bit register at {@code register} (relative, two dwords low first), 0 when not captured. */
    default long read64(int register) {
        return captured(register, 8)
                ? Integer.toUnsignedLong(cs().u32(offset() + register))
                        | (long) cs().u32(offset() + register + 4) << 32
                : 0;
    }

    /** Reads a register of {@code width} 1, 2, 4 or 8 bytes as an unsigned value. */
    default long read(int register, int width) {
        return switch (width) {
            case 1 -> read8(register);
            case 2 -> read16(register);
            case 4 -> Integer.toUnsignedLong(read32(register));
            case 8 -> read64(register);
            default -> throw new IllegalArgumentException("register width must be 1, 2, 4 or 8, got " + width);
        };
    }
}
