package dev.vcap.vmm.placement;

import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.occupancy.ByteRange;
import dev.vcap.vmm.config.ChainEditor;
import dev.vcap.vmm.config.VirtualCapability;
import dev.vcap.vmm.config.VirtualConfigSpace;
import dev.vcap.vmm.config.VirtualLayout;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;

/**
 * What every policy may ask while placing: the device's identity, the virtual config space as it
 * stands (with the capabilities already placed by this plan), the quirks that match, and whether
 * a range is free and reads as zero.
 */
public final class PlacementContext {

    private final DeviceIdentity identity;
    private final VirtualConfigSpace vcs;
    private final List<Quirk> quirks;
    private final PlacementOptions options;
    /** The guest's view as last read, at {@link VirtualConfigSpace#changes()} {@code imageAt}, and its non-zero bytes. */
    private ConfigSpace image;
    private long imageAt = -1;
    private BitSet nonZero;
    /** The run of offsets {@code letFrom}, +4, ... {@code letThrough} the chain editor let through, for {@code letLength} bytes at {@code letAt}. */
    private int letFrom;
    private int letThrough = -1;
    private int letLength;
    private long letAt = -1;

    PlacementContext(DeviceIdentity identity, VirtualConfigSpace vcs, List<Quirk> quirks, PlacementOptions options) {
        this.identity = identity;
        this.vcs = vcs;
        this.quirks = List.copyOf(quirks);
        this.options = options;
    }

    public DeviceIdentity identity() {
        return identity;
    }

    public VirtualConfigSpace vcs() {
        return vcs;
    }

    public PlacementOptions options() {
        return options;
    }

    /** Quirk entries matching the device, most specific first. */
    public List<Quirk> quirks() {
        return quirks;
    }

    /** Every range a matching quirk forbids. */
    public List<Quirk.Forbidden> forbidden() {
        List<Quirk.Forbidden> out = new ArrayList<>();
        quirks.forEach(q -> out.addAll(q.forbidden()));
        return out;
    }

    /** Why a candidate whose bytes read non-zero is turned down. */
    public static final String NON_ZERO = "bytes read non-zero (possible hidden registers)";

    /**
     * Why a structure of {@code length} bytes could not go at {@code offset}: the chain editor's
     * reason (alignment, bounds, overlap with any capability's architected length or with a
     * capability this plan placed), a quirk-forbidden range it would cover, or bytes that read
     * non-zero in the guest's view as it stands — the same three checks, in the same order, that
     * admission applies to a contract's synthesized capabilities ({@code Admission}), so a plan is
     * never one its own device would refuse. Empty when it fits.
     */
    public Optional<String> conflict(int offset, int length) {
        Object cause = conflictCause(offset, length);
        if (cause == null) {
            return Optional.empty();
        }
        if (cause == NON_ZERO) {
            return Optional.of(NON_ZERO);
        }
        if (cause instanceof Quirk.Forbidden f) {
            // concatenated, not formatted: a forbidden range refuses every offset that covers it
            return Optional.of("covers " + f.range() + ", forbidden by quirk '" + quirkOf(f).id() + "' (" + f.reason()
                    + ")");
        }
        return Optional.of(vcs.editor().check(CapabilitySpace.EXTENDED, offset, length).orElseThrow().getMessage());
    }

    /**
     * What {@link #conflict} turns {@code offset} down for, without its message: the chain editor's
     * cause ({@link dev.vcap.vmm.config.ChainEditor#cause}), the forbidden range of a quirk, or
     * {@link #NON_ZERO}; null when it fits. Offsets refused for one cause get one message but for
     * the offset, which a decision record leaves out of its runs ({@code Candidates}): a policy asking
     * about every dword needs the message only where the cause changes.
     */
    public Object conflictCause(int offset, int length) {
        if (!editorLetsThrough(offset, length)) {
            Object edit = vcs.editor().cause(CapabilitySpace.EXTENDED, offset, length);
            if (edit != null) {
                return edit;
            }
            // the chain editor lets the next offsets through too, up to the next structure: remembered
            letFrom = offset;
            letThrough = vcs.editor().causeHoldsThrough(CapabilitySpace.EXTENDED, offset, length, null);
            letLength = length;
            letAt = vcs.changes();
        }
        ByteRange range = ByteRange.ofLength(offset, length);
        for (Quirk q : quirks) {
            for (Quirk.Forbidden f : q.forbidden()) {
                if (f.range().overlaps(range)) {
                    return f;
                }
            }
        }
        int end = Math.min(offset + length, vcs.size());
        int firstNonZero = nonZero().nextSetBit(offset);
        return firstNonZero >= 0 && firstNonZero < end ? NON_ZERO : null;
    }

    /**
     * The last offset, {@code offset} plus a multiple of 4, that {@link #conflictCause} turns down
     * for the {@code cause} it gives at {@code offset} (a capability's overlap holds for a run of
     * offsets: {@link dev.vcap.vmm.config.ChainEditor#causeHoldsThrough}); {@code offset} itself for
     * any other cause, and for none (a quirk or a non-zero byte may refuse the next offset).
     */
    public int causeHoldsThrough(int offset, int length, Object cause) {
        return cause == null ? offset : vcs.editor().causeHoldsThrough(CapabilitySpace.EXTENDED, offset, length, cause);
    }

    private Quirk quirkOf(Quirk.Forbidden range) {
        for (Quirk q : quirks) {
            for (Quirk.Forbidden f : q.forbidden()) {
                if (f == range) {
                    return q;
                }
            }
        }
        throw new IllegalArgumentException(range + " is no quirk's");
    }

    /** Non-zero bytes the guest would read in {@code [offset, offset + length)} before placement. */
    public int nonZeroBytes(int offset, int length) {
        int end = Math.min(offset + length, vcs.size());
        return end <= offset ? 0 : nonZero().get(offset, end).cardinality();
    }

    /**
     * Whether {@code offset} lies in the run of offsets (4 apart) that the chain editor was last
     * found to let a structure of {@code length} bytes through, in the state it was found in.
     */
    private boolean editorLetsThrough(int offset, int length) {
        return length == letLength && letAt == vcs.changes() && offset >= letFrom && offset <= letThrough
                && (offset - letFrom) % 4 == 0;
    }

    /**
     * The guest's config space as it reads now, read once per state of the virtual config space: a
     * policy asks about hundreds of candidate offsets between two edits, and each guest read of a
     * pass-through byte goes through the host's region. Not to be changed.
     */
    ConfigSpace guestImage() {
        long at = vcs.changes();
        if (image == null || at != imageAt) {
            image = vcs.guestImage();
            imageAt = at;
            nonZero = null;
        }
        return image;
    }

    /** The bytes of {@link #guestImage()} that are not zero. */
    private BitSet nonZero() {
        ConfigSpace now = guestImage();
        if (nonZero == null) {
            nonZero = new BitSet(vcs.size());
            for (int b = 0; b < vcs.size(); b++) {
                nonZero.set(b, now.u8(b) != 0);
            }
        }
        return nonZero;
    }

    /**
     * The bytes of extended space of unknown purpose, in ascending order: bytes that read non-zero
     * in the guest's view and belong to no structure the VMM knows (registers hidden in gaps, the
     * bodies of capabilities the host hid), and bytes a matching quirk forbids (registers a vendor
     * keeps there; in a pool plan, bytes non-zero on another device of the pool).
     */
    public int[] unknownBytes() {
        // word by word: a policy asks once per state, and most of the 4 KiB is neither
        BitSet unknown = (BitSet) nonZero().clone();
        unknown.and(vcs.gaps());
        unknown.clear(0, ChainEditor.EXTENDED_HEAD);
        for (Quirk.Forbidden f : forbidden()) {
            int from = Math.max(f.range().start(), ChainEditor.EXTENDED_HEAD);
            int to = Math.min(f.range().end(), vcs.size());
            if (from < to) {
                unknown.set(from, to);
            }
        }
        int[] out = new int[unknown.cardinality()];
        int n = 0;
        for (int b = unknown.nextSetBit(0); b >= 0; b = unknown.nextSetBit(b + 1)) {
            out[n++] = b;
        }
        return out;
    }

    /** The first byte after every capability of extended space (visible or hidden, and the stub). */
    public int endOfLastCapability() {
        VirtualLayout layout = vcs.layout();
        int end = layout.extendedStub() ? 0x104 : 0x100;
        for (VirtualCapability c : layout.extended()) {
            end = Math.max(end, c.end());
        }
        for (var h : layout.hidden()) {
            if (h.space() == CapabilitySpace.EXTENDED && !h.dropped()) {
                end = Math.max(end, h.end());
            }
        }
        return end;
    }
}
