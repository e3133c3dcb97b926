package dev.vcap.vmm.placement;

import dev.vcap.pci.occupancy.ByteRange;
import java.util.ArrayList;
import java.util.List;

/** Parses byte ranges as operators write them: {@code 0xd00-0xdff,0xf00-0xfff} (inclusive ends). */
public final class ByteRanges {

    private ByteRanges() {
    }

    /**
     * Parses a comma-separated list of {@code START-LAST} ranges (hex with 0x, or decimal), within
     * 0x000-0xfff.
     *
     * @throws IllegalArgumentException naming the bad item and what was expected
     */
    public static List<ByteRange> parse(String text) {
        List<ByteRange> out = new ArrayList<>();
        for (String item : text.split(",")) {
            out.add(parseOne(item.trim()));
        }
        return out;
    }

    /** One {@code START-LAST} range (a single offset means one byte). */
    public static ByteRange parseOne(String item) {
        String[] parts = item.split("-", -1);
        if (item.isEmpty() || parts.length > 2) {
            throw new IllegalArgumentException("'" + item + "' is not a range; expected START-LAST like 0xd00-0xdff");
        }
        int start = number(parts[0], item);
        int last = parts.length == 2 ? number(parts[1], item) : start;
        if (last < start) {
            throw new IllegalArgumentException("'" + item + "' ends before it starts; expected START-LAST with START <= LAST");
        }
        if (last > 0xFFF) {
            throw new IllegalArgumentException("'" + item + "' goes past 0xfff, the end of config space");
        }
        return new ByteRange(start, last + 1);
    }

    private static int number(String s, String item) {
        String t = s.trim();
        try {
            long v = t.startsWith("0x") || t.startsWith("0X") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
            if (v < 0 || v > 0xFFF) {
                throw new IllegalArgumentException("'" + item + "': " + t + " is outside config space (0x000-0xfff)");
            }
            return (int) v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + item + "': '" + t + "' is not a number; expected 0x-hex or decimal");
        }
    }
}
