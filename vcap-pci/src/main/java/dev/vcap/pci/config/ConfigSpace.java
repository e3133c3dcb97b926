package dev.vcap.pci.config;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The bytes of one function's configuration space, little-endian as PCI defines it.
 *
 * <pre>
 *   0x000 +----------------------------+
 *         | header (64 bytes)          |  type 0 / type 1 / type 2
 *   0x040 +----------------------------+
 *         | standard capabilities      |  chained from the pointer at 0x34
 *   0x100 +----------------------------+  {@link #CONVENTIONAL_SIZE}
 *         | extended capabilities      |  chained from 0x100 (PCIe only)
 *   0x1000+----------------------------+  {@link #EXTENDED_SIZE}
 * </pre>
 *
 * <p>An image holds the bytes that were captured: 64 ({@code lspci -x}), 256 ({@code -xxx}) or
 * 4096 ({@code -xxxx}) bytes, or, for a dump cut short at its source, any multiple of 16 up to
 * 4096. Bytes past {@link #length()} were not captured; readers of this class ask
 * {@link #captured(int, int)} before they read device data, so a short image is a finding, never an
 * exception.
 *
 * <p>Instances are mutable (the VMM keeps its shadow copy in one); {@link #copy()} when sharing.
 * Accessors throw {@link IndexOutOfBoundsException} only for programming errors: offsets outside
 * the captured bytes.
 */
public final class ConfigSpace {

    /** Size of the type 0/1 header. */
    public static final int HEADER_SIZE = 0x40;
    /** Size of conventional (PCI) configuration space. */
    public static final int CONVENTIONAL_SIZE = 0x100;
    /** Size of PCIe extended configuration space. */
    public static final int EXTENDED_SIZE = 0x1000;
    /** Granularity of a captured image: one {@code lspci -x} line. */
    public static final int LINE_SIZE = 16;

    private static final VarHandle U16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle U32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle U64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final byte[] bytes;

    private ConfigSpace(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * Wraps bytes without copying. The length must be a positive multiple of {@link #LINE_SIZE} no
     * larger than {@link #EXTENDED_SIZE}.
     */
    public static ConfigSpace wrap(byte[] bytes) {
        checkLength(bytes.length);
        return new ConfigSpace(bytes);
    }

    /** Copies bytes into a new image; same length rules as {@link #wrap(byte[])}. */
    public static ConfigSpace copyOf(byte[] bytes) {
        return wrap(bytes.clone());
    }

    /** A zero-filled image of the given length. */
    public static ConfigSpace allocate(int length) {
        checkLength(length);
        return new ConfigSpace(new byte[length]);
    }

    /** True when {@code length} is a length an image may have. */
    public static boolean isValidLength(int length) {
        return length > 0 && length <= EXTENDED_SIZE && length % LINE_SIZE == 0;
    }

    private static void checkLength(int length) {
        if (!isValidLength(length)) {
            throw new IllegalArgumentException("config space length must be a multiple of 16 in 16.." + EXTENDED_SIZE
                    + ", got " + length);
        }
    }

    /** Number of captured bytes. */
    public int length() {
        return bytes.length;
    }

    /** True when the image is one of the three complete sizes: 64, 256 or 4096 bytes. */
    public boolean isComplete() {
        return bytes.length == HEADER_SIZE || bytes.length == CONVENTIONAL_SIZE || bytes.length == EXTENDED_SIZE;
    }

    /** True when any byte of extended space (0x100 and up) was captured. */
    public boolean hasExtendedSpace() {
        return bytes.length > CONVENTIONAL_SIZE;
    }

    /** True when {@code [offset, offset + size)} lies inside the captured bytes. */
    public boolean captured(int offset, int size) {
        return offset >= 0 && size >= 0 && offset <= bytes.length - size;
    }

    public int u8(int offset) {
        return bytes[offset] & 0xFF;
    }

    public int u16(int offset) {
        return (short) U16.get(bytes, offset) & 0xFFFF;
    }

    /** The dword at {@code offset}; use {@link Integer#toUnsignedLong(int)} for its unsigned value. */
    public int u32(int offset) {
        return (int) U32.get(bytes, offset);
    }

    /** Reads {@code size} (1, 2 or 4) bytes as an unsigned little-endian value. */
    public int read(int offset, int size) {
        return switch (size) {
            case 1 -> u8(offset);
            case 2 -> u16(offset);
            case 4 -> u32(offset);
            default -> throw new IllegalArgumentException("access size must be 1, 2 or 4, got " + size);
        };
    }

    public void setU8(int offset, int value) {
        bytes[offset] = (byte) value;
    }

    public void setU16(int offset, int value) {
        U16.set(bytes, offset, (short) value);
    }

    public void setU32(int offset, int value) {
        U32.set(bytes, offset, value);
    }

    /** Writes the low {@code size} (1, 2 or 4) bytes of {@code value} little-endian. */
    public void write(int offset, int size, int value) {
        switch (size) {
            case 1 -> setU8(offset, value);
            case 2 -> setU16(offset, value);
            case 4 -> setU32(offset, value);
            default -> throw new IllegalArgumentException("access size must be 1, 2 or 4, got " + size);
        }
    }

    /** Copies {@code length} bytes starting at {@code offset}. */
    public byte[] slice(int offset, int length) {
        return Arrays.copyOfRange(bytes, offset, offset + length);
    }

    /** Overwrites bytes starting at {@code offset}. */
    public void put(int offset, byte[] source) {
        System.arraycopy(source, 0, bytes, offset, source.length);
    }

    /** Fills {@code [offset, offset + length)} with {@code value}. */
    public void fill(int offset, int length, int value) {
        Arrays.fill(bytes, offset, offset + length, (byte) value);
    }

    /** True when every byte in {@code [offset, offset + length)} is zero. */
    public boolean isZero(int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** A copy of all captured bytes. */
    public byte[] toByteArray() {
        return bytes.clone();
    }

    /** An independent copy. */
    public ConfigSpace copy() {
        return new ConfigSpace(bytes.clone());
    }

    /** A copy of this image resized to {@code length} bytes, new bytes filled with {@code fill}. */
    public ConfigSpace resized(int length, int fill) {
        checkLength(length);
        byte[] out = Arrays.copyOf(bytes, length);
        if (length > bytes.length) {
            Arrays.fill(out, bytes.length, length, (byte) fill);
        }
        return new ConfigSpace(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfigSpace other && Arrays.equals(bytes, other.bytes);
    }

    /**
     * A hash of the bytes taken eight at a time. {@code plan} and {@code survey} hash each device's
     * 4 KiB to find its class, mostly in code C1 compiled: there {@code Arrays.hashCode} is a loop
     * of 4096 steps (its vectorized form is C2's), this one of 512 (docs/PERFORMANCE.md).
     */
    @Override
    public int hashCode() {
        long h = bytes.length;
        for (int i = 0; i < bytes.length; i += Long.BYTES) { // a length is a multiple of LINE_SIZE
            h = 31 * h + (long) U64.get(bytes, i);
        }
        return Long.hashCode(h);
    }

    @Override
    public String toString() {
        return "ConfigSpace[" + bytes.length + " bytes, " + HexFormat.of().formatHex(bytes, 0, Math.min(8, bytes.length))
                + "...]";
    }
}
