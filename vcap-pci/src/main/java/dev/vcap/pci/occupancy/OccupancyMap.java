package dev.vcap.pci.occupancy;

import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import java.util.ArrayList;
import java.util.List;

/**
 * Who owns every byte of an image: the header, a capability (by its architected length), or
 * nobody (a gap). Gaps are where a VMM might put a synthesized capability — and where vendors hide
 * registers, so the non-zero bytes inside gaps are listed as suspects.
 *
 * <p>The header owns 0x00-0x3f. Standard capabilities own their bytes below 0x100, extended ones
 * theirs from 0x100. Where capabilities overlap, the one with the lower offset keeps the shared
 * bytes. Extended space counts as gap only for a device whose extended list was walked (a PCI
 * Express or PCI-X device); bytes that were not captured belong to nobody and are not gaps, and
 * neither are the bytes of an image whose header leaves nothing to decode
 * ({@link CapabilityChain#undecodable()}: a function that did not respond).
 *
 * <p>The map is a sorted list of disjoint owned extents, so building it costs a sort of the
 * capabilities, not a pass over 4096 bytes.
 */
public final class OccupancyMap {

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

    /** One owned extent; capability null for the header. */
    private record Extent(int start, int end, Capability capability) {
    }

    private final ConfigSpace cs;
    private final List<Extent> extents;
    /** The ranges in which unowned bytes are gaps (the rest is outside). */
    private final List<ByteRange> regions;
    private List<ByteRange> gaps;

    private OccupancyMap(ConfigSpace cs, List<Extent> extents, List<ByteRange> regions) {
        this.cs = cs;
        this.extents = extents;
        this.regions = regions;
    }

    /** Builds the map of an image from its walked chain. */
    public static OccupancyMap of(ConfigSpace cs, CapabilityChain chain) {
        int captured = cs.length();
        int conventionalEnd = Math.min(captured, ConfigSpace.CONVENTIONAL_SIZE);
        List<ByteRange> regions = new ArrayList<>(2);
        if (chain.undecodable()) {
            // nothing past the header was decoded: no byte there is known to be free
            return new OccupancyMap(cs, List.of(new Extent(0, Math.min(captured, ConfigSpace.HEADER_SIZE), null)),
                    regions);
        }
        if (conventionalEnd > ConfigSpace.HEADER_SIZE) {
            regions.add(new ByteRange(ConfigSpace.HEADER_SIZE, conventionalEnd));
        }
        boolean extendedList = chain.isPciExpress() || chain.has(StandardCapability.PCIX);
        if (extendedList && captured > ConfigSpace.CONVENTIONAL_SIZE) {
            regions.add(new ByteRange(ConfigSpace.CONVENTIONAL_SIZE, captured));
        }
        List<Capability> caps = new ArrayList<>(chain.standard().size() + chain.extended().size());
        caps.addAll(chain.standard());
        caps.addAll(chain.extended());
        // not Comparator.comparingInt: its serializable lambda is spun at run time, outside the AOT cache
        caps.sort((a, b) -> Integer.compare(a.offset(), b.offset()));
        List<Extent> extents = new ArrayList<>(caps.size() + 1);
        int headerEnd = Math.min(captured, ConfigSpace.HEADER_SIZE);
        extents.add(new Extent(0, headerEnd, null));
        int covered = headerEnd;
        for (Capability c : caps) {
            boolean standard = c.space() == CapabilitySpace.STANDARD;
            if (!standard && !extendedList) {
                continue;
            }
            int from = Math.max(c.offset(), Math.max(covered,
                    standard ? ConfigSpace.HEADER_SIZE : ConfigSpace.CONVENTIONAL_SIZE));
            int to = Math.min(c.end(), standard ? conventionalEnd : captured);
            if (from < to) {
                extents.add(new Extent(from, to, c));
                covered = to;
            }
        }
        return new OccupancyMap(cs, extents, regions);
    }

    /** The owner of one byte (0..0xfff). */
    public Owner ownerAt(int offset) {
        Extent e = extentAt(offset);
        if (e != null) {
            return e.capability() == null ? HEADER_OWNER : new Owner.CapabilityOwner(e.capability());
        }
        return inRegion(offset) ? GAP_OWNER : OUTSIDE;
    }

    /** The capability owning a byte, or null. */
    public Capability capabilityAt(int offset) {
        Extent e = extentAt(offset);
        return e == null ? null : e.capability();
    }

    public boolean isGap(int offset) {
        return extentAt(offset) == null && inRegion(offset);
    }

    /** True when every byte of the range is a gap. */
    public boolean isGap(ByteRange range) {
        for (ByteRange g : gaps()) {
            if (g.contains(range)) {
                return true;
            }
        }
        return false;
    }

    /** Maximal gap runs, ascending; a run never crosses from conventional into extended space. */
    public List<ByteRange> gaps() {
        if (gaps == null) {
            List<ByteRange> out = new ArrayList<>();
            for (ByteRange region : regions) {
                int at = region.start();
                for (Extent e : extents) {
                    if (e.end() <= at || e.start() >= region.end()) {
                        continue;
                    }
                    if (e.start() > at) {
                        out.add(new ByteRange(at, e.start()));
                    }
                    at = Math.max(at, e.end());
                }
                if (at < region.end()) {
                    out.add(new ByteRange(at, region.end()));
                }
            }
            gaps = List.copyOf(out);
        }
        return gaps;
    }

    /** Maximal gap runs of one space. */
    public List<ByteRange> gaps(CapabilitySpace space) {
        return gaps().stream().filter(r -> (r.start() < ConfigSpace.CONVENTIONAL_SIZE) == (space == CapabilitySpace.STANDARD))
                .toList();
    }

    /**
     * Runs of non-zero dwords inside gaps: candidates for registers a vendor hid there. Registers
     * are dword aligned, so a dword with any non-zero byte counts whole (clipped to its gap), and
     * adjacent ones merge into one run.
     */
    public List<ByteRange> nonZeroInGaps() {
        List<ByteRange> out = new ArrayList<>();
        for (ByteRange g : gaps()) {
            int start = -1;
            for (int dword = g.start() & ~3; dword < g.end(); dword += 4) {
                int from = Math.max(dword, g.start());
                int to = Math.min(dword + 4, g.end());
                boolean nonZero = !cs.isZero(from, to - from);
                if (nonZero && start < 0) {
                    start = from;
                } else if (!nonZero && start >= 0) {
                    out.add(new ByteRange(start, from));
                    start = -1;
                }
            }
            if (start >= 0) {
                out.add(new ByteRange(start, g.end()));
            }
        }
        return out;
    }

    /** Total gap bytes. */
    public int gapBytes() {
        return gaps().stream().mapToInt(ByteRange::length).sum();
    }

    private Extent extentAt(int offset) {
        int lo = 0;
        int hi = extents.size() - 1;
        while (lo <= hi) {
            int mid = lo + hi >>> 1;
            Extent e = extents.get(mid);
            if (offset < e.start()) {
                hi = mid - 1;
            } else if (offset >= e.end()) {
                lo = mid + 1;
            } else {
                return e;
            }
        }
        return null;
    }

    private boolean inRegion(int offset) {
        for (ByteRange r : regions) {
            if (r.contains(offset)) {
                return true;
            }
        }
        return false;
    }

}
