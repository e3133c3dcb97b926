package dev.vcap.pci.occupancy;

import dev.vcap.pci.config.Hex;

/**
 * A half-open range of config-space offsets, {@code [start, end)}.
 */
public record ByteRange(int start, int end) implements Comparable<ByteRange> {

    public ByteRange {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException(String.format("bad range [0x%x, 0x%x)", start, end));
        }
    }

    public static ByteRange ofLength(int start, int length) {
        return new ByteRange(start, start + length);
    }

    public int length() {
        return end - start;
    }

    public boolean contains(int offset) {
        return offset >= start && offset < end;
    }

    public boolean contains(ByteRange other) {
        return other.start >= start && other.end <= end;
    }

    public boolean overlaps(ByteRange other) {
        return start < other.end && other.start < end;
    }

    @Override
    public int compareTo(ByteRange o) {
        return start != o.start ? Integer.compare(start, o.start) : Integer.compare(end, o.end);
    }

    /** {@code 0x100-0x13f} (inclusive end, as people write ranges). */
    @Override
    public String toString() {
        // by hand rather than String.format: placement names ranges in refusals of many offsets
        return "0x" + Hex.padded(start, 3) + "-0x" + Hex.padded(end - 1, 3);
    }
}
