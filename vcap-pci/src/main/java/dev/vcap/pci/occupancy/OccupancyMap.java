package dev.vcap.pci.occupancy;

import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.capability.StandardCapability;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Who owns every byte of an image: the header, a capability (by its architected length), or
 * nobody (a gap). Gaps are where a VMM might put a synthesized capability — and where vendors hide
 * registers, so the non-zero bytes inside gaps are listed as suspects.
 *
 * <p>The header owns 0x00-0x3f. Standard capabilities own their bytes below 0x100, extended ones
 * theirs from 0x100. Where capabilities overlap, the one met first in chain order keeps the byte.
 * Extended space counts as gap only for a device whose extended list was walked (a PCI Express or
 * PCI-X device); bytes that were not captured belong to nobody and are not gaps.
 */
public final class OccupancyMap {

    /** Owner code for a byte nobody owns. */
    private static final short GAP = -1;
    /** Owner code for a byte that was not captured or is not part of any list. */
    private static final short NONE = -2;
    /** Owner code for the header. */
    private static final short HEADER = 0;

    /** What owns a byte. */
    public sealed interface Owner {
        /** The 64-byte configuration header. */
        record HeaderOwner() implements Owner {
        }

        /** A capability's architected extent. */
        record CapabilityOwner(Capability capability) implements Owner {
        }

        /** Nobody: a gap. */
        record Gap() implements Owner {
        }

        /** Not captured, or extended space of a device without an extended list. */
        record Outside() implements Owner {
        }
    }

    private static final Owner HEADER_OWNER = new Owner.HeaderOwner();
    private static final Owner GAP_OWNER = new Owner.Gap();
    private static final Owner OUTSIDE = new Owner.Outside();

    private final ConfigSpace cs;
    private final List<Capability> capabilities;
    private final short[] owner;

    private OccupancyMap(ConfigSpace cs, List<Capability> capabilities, short[] owner) {
        this.cs = cs;
        this.capabilities = capabilities;
        this.owner = owner;
    }

    /** Builds the map of an image from its walked chain. */
    public static OccupancyMap of(ConfigSpace cs, CapabilityChain chain) {
        short[] owner = new short[ConfigSpace.EXTENDED_SIZE];
        Arrays.fill(owner, NONE);
        int captured = cs.length();
        int conventionalEnd = Math.min(captured, ConfigSpace.CONVENTIONAL_SIZE);
        Arrays.fill(owner, 0, Math.min(captured, ConfigSpace.HEADER_SIZE), HEADER);
        if (conventionalEnd > ConfigSpace.HEADER_SIZE) {
            Arrays.fill(owner, ConfigSpace.HEADER_SIZE, conventionalEnd, GAP);
        }
        boolean extendedList = chain.isPciExpress() || chain.has(StandardCapability.PCIX);
        if (extendedList && captured > ConfigSpace.CONVENTIONAL_SIZE) {
            Arrays.fill(owner, ConfigSpace.CONVENTIONAL_SIZE, captured, GAP);
        }
        List<Capability> caps = chain.all().toList();
        for (int i = 0; i < caps.size(); i++) {
            Capability c = caps.get(i);
            int from = Math.max(c.offset(), c.space() == CapabilitySpace.STANDARD ? ConfigSpace.HEADER_SIZE
                    : ConfigSpace.CONVENTIONAL_SIZE);
            int limit = c.space() == CapabilitySpace.STANDARD ? conventionalEnd : captured;
            int to = Math.min(c.end(), limit);
            for (int b = from; b < to; b++) {
                if (owner[b] == GAP) {
                    owner[b] = (short) (i + 1);
                }
            }
        }
        return new OccupancyMap(cs, caps, owner);
    }

    /** The owner of one byte (0..0xfff). */
    public Owner ownerAt(int offset) {
        short code = owner[offset];
        return switch (code) {
            case GAP -> GAP_OWNER;
            case NONE -> OUTSIDE;
            case HEADER -> HEADER_OWNER;
            default -> new Owner.CapabilityOwner(capabilities.get(code - 1));
        };
    }

    /** The capability owning a byte, or null. */
    public Capability capabilityAt(int offset) {
        short code = owner[offset];
        return code > 0 ? capabilities.get(code - 1) : null;
    }

    public boolean isGap(int offset) {
        return owner[offset] == GAP;
    }

    /** True when every byte of the range is a gap. */
    public boolean isGap(ByteRange range) {
        if (range.start() < 0 || range.end() > owner.length) {
            return false;
        }
        for (int b = range.start(); b < range.end(); b++) {
            if (owner[b] != GAP) {
                return false;
            }
        }
        return true;
    }

    /** Maximal gap runs, ascending; a run never crosses from conventional into extended space. */
    public List<ByteRange> gaps() {
        List<ByteRange> out = new ArrayList<>(gaps(CapabilitySpace.STANDARD));
        out.addAll(gaps(CapabilitySpace.EXTENDED));
        return out;
    }

    /** Maximal gap runs of one space. */
    public List<ByteRange> gaps(CapabilitySpace space) {
        return space == CapabilitySpace.STANDARD ? runs(0, ConfigSpace.CONVENTIONAL_SIZE, false)
                : runs(ConfigSpace.CONVENTIONAL_SIZE, ConfigSpace.EXTENDED_SIZE, false);
    }

    /** Runs of non-zero bytes inside gaps: candidates for registers a vendor hid there. */
    public List<ByteRange> nonZeroInGaps() {
        List<ByteRange> out = new ArrayList<>(runs(0, ConfigSpace.CONVENTIONAL_SIZE, true));
        out.addAll(runs(ConfigSpace.CONVENTIONAL_SIZE, ConfigSpace.EXTENDED_SIZE, true));
        return out;
    }

    /** Total gap bytes. */
    public int gapBytes() {
        int n = 0;
        for (short s : owner) {
            if (s == GAP) {
                n++;
            }
        }
        return n;
    }

    private List<ByteRange> runs(int from, int to, boolean nonZeroOnly) {
        List<ByteRange> out = new ArrayList<>();
        int start = -1;
        for (int b = from; b <= to; b++) {
            boolean in = b < to && owner[b] == GAP && (!nonZeroOnly || cs.u8(b) != 0);
            if (in && start < 0) {
                start = b;
            } else if (!in && start >= 0) {
                out.add(new ByteRange(start, b));
                start = -1;
            }
        }
        return out;
    }
}
