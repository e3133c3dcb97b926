package dev.vcap.vmm.config;

import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.config.ConfigSpace;
import java.util.List;
import java.util.Optional;

/**
 * Edits the guest-visible capability chains of a {@link VirtualConfigSpace} without ever leaving
 * them corrupt: every edit is validated first and refused whole with a {@link ChainEditException},
 * and after an edit every next pointer is rewritten from the chain lists.
 *
 * <p>The cases that broke QEMU's {@code pcie_insert_capability()} are handled by construction:
 * the chain order is a list, not "increasing next pointers", so backward pointers are fine; an
 * empty extended list gets a null stub at 0x100 (ID 0, version 0, next = the new capability), as
 * vfio writes when it hides the capability at 0x100; and a capability inserted at 0x100 becomes
 * the list head, replacing the stub.
 *
 * <p>Validation checks, for a structure of {@code length} bytes at {@code offset}: dword alignment;
 * bounds (standard 0x40..0xff, extended 0x100..end of config space); and overlap with every
 * capability's architected length — visible ones, hidden ones whose bytes are still the device's,
 * and the stub at 0x100 — not merely with their headers.
 */
public final class ChainEditor {

    /** Where the extended list starts. */
    public static final int EXTENDED_HEAD = ConfigSpace.CONVENTIONAL_SIZE;

    private final VirtualConfigSpace vcs;

    ChainEditor(VirtualConfigSpace vcs) {
        this.vcs = vcs;
    }

    /**
     * Unlinks a capability; its bytes keep their last contents, are served by the VMM and never
     * reach the device. Hiding the capability at 0x100 leaves a null stub there, as Linux does.
     */
    public HiddenCapability hide(VirtualCapability capability, String reason) {
        return unlink(capability, false, reason);
    }

    /** Unlinks a capability and zeroes its bytes, releasing the space for reuse. */
    public HiddenCapability drop(VirtualCapability capability, String reason) {
        return unlink(capability, true, reason);
    }

    private HiddenCapability unlink(VirtualCapability capability, boolean dropped, String reason) {
        long stamp = vcs.lock.writeLock();
        try {
            List<VirtualCapability> list = list(capability.space());
            if (!list.remove(capability)) {
                throw new ChainEditException(ChainEditException.Reason.NOT_VISIBLE, capability + " is not in the"
                        + " guest-visible chain");
            }
            vcs.served.remove(capability.offset());
            vcs.overlays.remove(capability.offset());
            HiddenCapability h = new HiddenCapability(capability.space(), capability.offset(), capability.id(),
                    capability.version(), capability.length(), dropped, reason);
            vcs.hidden.add(h);
            if (dropped) {
                int to = Math.min(capability.end(), vcs.size);
                java.util.Arrays.fill(vcs.shadow, capability.offset(), to, (byte) 0);
            }
            vcs.rebuild();
            return h;
        } finally {
            vcs.lock.unlockWrite(stamp);
        }
    }

    /**
     * Inserts a capability the VMM serves at {@code offset}. It is linked at the end of its chain,
     * or at the head when it sits at 0x100.
     *
     * @throws ChainEditException when the structure does not fit there; nothing changes
     */
    public VirtualCapability insert(int offset, CapabilityDefinition definition) {
        long stamp = vcs.lock.writeLock();
        try {
            check(definition.space(), offset, definition.length()).ifPresent(e -> {
                throw e.toThrow();
            });
            return link(offset, definition);
        } finally {
            vcs.lock.unlockWrite(stamp);
        }
    }

    /**
     * Inserts a capability after the last structure of its space: at the first dword boundary past
     * the highest end of any capability, visible or hidden.
     */
    public VirtualCapability append(CapabilityDefinition definition) {
        long stamp = vcs.lock.writeLock();
        try {
            int offset = firstFreeAfterLast(definition.space());
            check(definition.space(), offset, definition.length()).ifPresent(e -> {
                throw e.toThrow();
            });
            return link(offset, definition);
        } finally {
            vcs.lock.unlockWrite(stamp);
        }
    }

    /**
     * Inserts at the first of {@code offsets} where the structure fits (QEMU's GPUDirect rule:
     * 0xC8, or 0xD4 when 0xC8 is taken).
     *
     * @throws ChainEditException with the last offset's reason when none fits
     */
    public VirtualCapability insertAtFirstFit(List<Integer> offsets, CapabilityDefinition definition) {
        long stamp = vcs.lock.writeLock();
        try {
            ChainEditException last = null;
            for (int offset : offsets) {
                Optional<ChainEditException> problem = check(definition.space(), offset, definition.length());
                if (problem.isEmpty()) {
                    return link(offset, definition);
                }
                last = problem.get();
            }
            throw last != null ? last.toThrow()
                    : new ChainEditException(ChainEditException.Reason.OUT_OF_BOUNDS, "no candidate offsets given");
        } finally {
            vcs.lock.unlockWrite(stamp);
        }
    }

    /**
     * Why QEMU's {@code pcie_insert_capability()} (hw/pci/pcie.c, QEMU 11.0) would return false
     * for an extended structure of {@code length} bytes at {@code offset}, or empty when it would
     * insert it. It checks only: dword alignment; {@code 0x100 <= offset < 0x1000}; {@code length
     * >= 8}; {@code offset + length <= 0x1000}; an empty list takes a structure only at 0x100; and,
     * walking the list from 0x100 in chain order while the offset is at or above the capability
     * walked, that the offset is not inside that capability's 4-byte header. Bodies, later headers,
     * hidden capabilities and what the bytes hold are not checked.
     */
    public Optional<String> qemuRefusal(int offset, int length) {
        if (offset % 4 != 0) {
            return Optional.of(String.format("0x%x is not 4-byte aligned", offset));
        }
        if (offset < EXTENDED_HEAD || offset >= vcs.size || length < 8) {
            return Optional.of(String.format("0x%x is outside extended config space", offset));
        }
        if (offset + length > vcs.size) {
            return Optional.of(String.format("0x%x plus %d exceeds the config space size", offset, length));
        }
        for (int pos : qemuWalk()) {
            if (offset < pos) {
                break;
            }
            if (offset < pos + 4) {
                return Optional.of(String.format("0x%x is inside the header of %s", offset, pos == EXTENDED_HEAD
                        && vcs.firstExtendedNeedsStub() ? "the null capability heading the list at 0x100"
                        : structureAt(pos)));
            }
        }
        return Optional.empty();
    }

    /**
     * Inserts a structure the VMM serves as QEMU's {@code pcie_insert_capability()} does, which
     * must accept it ({@link #qemuRefusal}): linked after the last capability walked from 0x100
     * whose offset is at or below it, and served over whatever it covers — bodies of capabilities,
     * the header of the capability after it, hidden capabilities' bytes. The guest then reads its
     * registers there instead of theirs. Only for predicting what QEMU gives a guest; vcap's own
     * placement never overlaps anything ({@link #insert}).
     *
     * @return the structures it covers, each with the bytes covered
     */
    public List<String> insertAsQemu(int offset, CapabilityDefinition definition) {
        long stamp = vcs.lock.writeLock();
        try {
            qemuRefusal(offset, definition.length()).ifPresent(why -> {
                throw new ChainEditException(ChainEditException.Reason.OVERLAP, "pcie_insert_capability refuses " + why);
            });
            List<String> covered = covered(offset, offset + definition.length());
            List<Integer> walk = qemuWalk();
            int after = 0; // capabilities of the list at or below the offset, walked in chain order
            for (int pos : walk) {
                if (offset < pos) {
                    break;
                }
                after++;
            }
            boolean stub = vcs.extended.isEmpty() || vcs.firstExtendedNeedsStub();
            int index = stub ? Math.max(after - 1, 0) : after;
            VirtualCapability v = new VirtualCapability(CapabilitySpace.EXTENDED, offset, definition.id(),
                    definition.version(), definition.length(), definition.origin());
            vcs.extended.add(index, v);
            vcs.overlays.add(offset);
            serve(v, definition);
            return covered;
        } finally {
            vcs.lock.unlockWrite(stamp);
        }
    }

    /** The offsets QEMU's list walk visits: 0x100 (a capability or the null stub), then the chain. */
    private List<Integer> qemuWalk() {
        List<Integer> walk = new java.util.ArrayList<>();
        if (vcs.extended.isEmpty() || vcs.firstExtendedNeedsStub()) {
            walk.add(EXTENDED_HEAD);
        }
        vcs.extended.forEach(c -> walk.add(c.offset()));
        return walk;
    }

    private String structureAt(int offset) {
        return vcs.extended.stream().filter(c -> c.offset() == offset).findFirst().map(VirtualCapability::toString)
                .orElse(String.format("the structure at 0x%x", offset));
    }

    /** What the bytes [from, to) of extended space belong to, with the bytes covered. */
    private List<String> covered(int from, int to) {
        List<String> out = new java.util.ArrayList<>();
        if (vcs.firstExtendedNeedsStub() && from < EXTENDED_HEAD + 4) {
            out.add("the null capability heading the extended list at 0x100 (its header)");
        }
        for (VirtualCapability c : vcs.extended) {
            if (c.overlaps(from, to)) {
                out.add(String.format("%s: bytes 0x%03x-0x%03x%s", c, Math.max(from, c.offset()), Math.min(to, c.end()) - 1,
                        from < c.offset() + 4 && c.offset() < to ? ", its header included" : ""));
            }
        }
        for (HiddenCapability h : vcs.hidden) {
            if (h.space() == CapabilitySpace.EXTENDED && !h.dropped() && from < h.end() && h.offset() < to) {
                out.add(String.format("hidden %s@0x%x (%d bytes; its registers are still the device's): bytes"
                        + " 0x%03x-0x%03x", h.name(), h.offset(), h.length(), Math.max(from, h.offset()),
                        Math.min(to, h.end()) - 1));
            }
        }
        return out;
    }

    /**
     * Serves a physical capability from the VMM at its own offset with new register contents
     * (e.g. Resizable BAR reporting only its current size). Its chain position does not change.
     */
    public VirtualCapability virtualize(VirtualCapability physical, CapabilityDefinition definition) {
        long stamp = vcs.lock.writeLock();
        try {
            List<VirtualCapability> list = list(physical.space());
            int index = list.indexOf(physical);
            if (index < 0) {
                throw new ChainEditException(ChainEditException.Reason.NOT_VISIBLE, physical + " is not in the"
                        + " guest-visible chain");
            }
            VirtualCapability v = new VirtualCapability(physical.space(), physical.offset(), physical.id(),
                    physical.version(), definition.length(), Origin.VIRTUALIZED);
            list.set(index, v);
            serve(v, definition);
            return v;
        } finally {
            vcs.lock.unlockWrite(stamp);
        }
    }

    /**
     * Links a space's visible capabilities in the order of {@code offsets}, which must name each
     * of them once (a migration destination reproduces its source's chain order this way). A
     * capability at 0x100 must come first, since the list starts there.
     */
    public void order(CapabilitySpace space, List<Integer> offsets) {
        long stamp = vcs.lock.writeLock();
        try {
            List<VirtualCapability> list = list(space);
            java.util.Map<Integer, VirtualCapability> byOffset = new java.util.HashMap<>();
            list.forEach(c -> byOffset.put(c.offset(), c));
            if (offsets.size() != list.size() || !byOffset.keySet().equals(new java.util.HashSet<>(offsets))) {
                throw new ChainEditException(ChainEditException.Reason.NOT_VISIBLE, space.label() + " offsets "
                        + offsets + " do not name the visible capabilities " + byOffset.keySet());
            }
            if (space == CapabilitySpace.EXTENDED && byOffset.containsKey(EXTENDED_HEAD) && offsets.get(0) != EXTENDED_HEAD) {
                throw new ChainEditException(ChainEditException.Reason.OUT_OF_BOUNDS,
                        "the capability at 0x100 heads the extended list; it cannot move down the chain");
            }
            List<VirtualCapability> ordered = offsets.stream().map(byOffset::get).toList();
            list.clear();
            list.addAll(ordered);
            vcs.rebuild();
        } finally {
            vcs.lock.unlockWrite(stamp);
        }
    }

    /**
     * Whether a structure of {@code length} bytes could go at {@code offset}: empty when it fits,
     * else the reason it does not. Changes nothing.
     */
    public Optional<ChainEditException> check(CapabilitySpace space, int offset, int length) {
        Object cause = cause(space, offset, length);
        return cause == null ? Optional.empty() : Optional.of(refusal(cause, space, offset, length));
    }

    /** The {@link #cause} of a structure that would cover the null stub heading the extended list. */
    private static final Object STUB = "the null stub";

    /**
     * What keeps a structure of {@code length} bytes from {@code offset}, or null when it fits: a
     * {@link ChainEditException.Reason} (no extended list, alignment, bounds), the visible or
     * hidden capability it would overlap (the first, in the order {@link #check} tries them), or
     * the null stub. No message is built: placement asks about every dword of extended space, and
     * two offsets refused for one cause get the same message but for the offset ({@link #check}).
     */
    public Object cause(CapabilitySpace space, int offset, int length) {
        if (space == CapabilitySpace.EXTENDED && !vcs.extendedList) {
            return ChainEditException.Reason.NO_EXTENDED_SPACE;
        }
        if (offset % 4 != 0) {
            return ChainEditException.Reason.UNALIGNED;
        }
        if (offset < low(space) || offset + length > high(space)) {
            return ChainEditException.Reason.OUT_OF_BOUNDS;
        }
        for (VirtualCapability c : list(space)) {
            if (c.overlaps(offset, offset + length)) {
                return c;
            }
        }
        for (HiddenCapability h : vcs.hidden) {
            if (h.space() == space && !h.dropped() && offset < h.end() && h.offset() < offset + length) {
                return h;
            }
        }
        if (space == CapabilitySpace.EXTENDED && vcs.firstExtendedNeedsStub() && offset != EXTENDED_HEAD
                && offset < EXTENDED_HEAD + 4) {
            return STUB;
        }
        return null;
    }

    /**
     * The last offset, {@code offset} plus a multiple of 4, up to which {@link #cause} stays what it
     * is at {@code offset}. A capability keeps overlapping until a structure would start past its
     * end, and no capability tried before it starts to overlap (one tried before it and not
     * overlapping at {@code offset} lies wholly before it, or after the structure's end); a structure
     * that fits (null) keeps fitting until it would reach a capability to its right or the end of the
     * space (the null stub refuses no dword offset after 0x100). For any other cause, {@code offset}.
     * Lets placement skip a run of refused offsets whose refusals would differ only in the offset,
     * and the editor's checks along a run of offsets it lets through.
     */
    public int causeHoldsThrough(CapabilitySpace space, int offset, int length, Object cause) {
        int limit; // the first offset at which the cause may differ
        if (cause instanceof VirtualCapability c) {
            limit = c.end();
        } else if (cause instanceof HiddenCapability h) {
            limit = h.end();
        } else if (cause == null) {
            limit = Integer.MAX_VALUE;
        } else {
            return offset;
        }
        // every structure cause() tries before the cause (all of them for a structure that fits)
        tried:
        {
            for (VirtualCapability e : list(space)) {
                if (e == cause) {
                    break tried;
                }
                limit = Math.min(limit, startsOverlapping(e.offset(), offset, length));
            }
            for (HiddenCapability e : vcs.hidden) {
                if (e == cause) {
                    break tried;
                }
                if (e.space() == space && !e.dropped()) {
                    limit = Math.min(limit, startsOverlapping(e.offset(), offset, length));
                }
            }
        }
        limit = Math.min(limit, high(space) - length + 1);
        return limit <= offset ? offset : offset + (limit - 1 - offset) / 4 * 4;
    }

    /** The first offset at which a structure of {@code length} bytes overlaps one starting at {@code start} to its right. */
    private static int startsOverlapping(int start, int offset, int length) {
        return start >= offset + length ? start - length + 1 : Integer.MAX_VALUE;
    }

    private int low(CapabilitySpace space) {
        return space == CapabilitySpace.STANDARD ? ConfigSpace.HEADER_SIZE : EXTENDED_HEAD;
    }

    private int high(CapabilitySpace space) {
        return space == CapabilitySpace.STANDARD ? ConfigSpace.CONVENTIONAL_SIZE : vcs.size;
    }

    /** The refusal {@link #cause} found, as its message says it. */
    private ChainEditException refusal(Object cause, CapabilitySpace space, int offset, int length) {
        // concatenated, not formatted: placement asks about every dword offset of extended space, and
        // most are refused
        if (cause == ChainEditException.Reason.NO_EXTENDED_SPACE) {
            return fail(ChainEditException.Reason.NO_EXTENDED_SPACE, "the device has no extended capability list"
                    + " (not PCI Express, or a " + vcs.size + "-byte config space)");
        }
        if (cause == ChainEditException.Reason.UNALIGNED) {
            return fail(ChainEditException.Reason.UNALIGNED, "offset 0x" + hex(offset) + " is not dword aligned");
        }
        if (cause == ChainEditException.Reason.OUT_OF_BOUNDS) {
            return fail(ChainEditException.Reason.OUT_OF_BOUNDS, length + " bytes at 0x" + hex(offset)
                    + " do not fit in " + space.label() + " space (0x" + hex(low(space)) + "-0x"
                    + hex(high(space) - 1) + ")");
        }
        if (cause instanceof VirtualCapability c) {
            return overlap(offset, length, c.toString());
        }
        if (cause instanceof HiddenCapability h) {
            return overlap(offset, length, "hidden " + h.name() + "@0x" + hex(h.offset()) + " (" + h.length()
                    + " bytes; its registers are still the device's)");
        }
        return overlap(offset, length, "the null stub heading the extended list at 0x100");
    }

    private static ChainEditException overlap(int offset, int length, String what) {
        return fail(ChainEditException.Reason.OVERLAP, length + " bytes at 0x" + hex(offset) + " would overlap " + what);
    }

    /** {@code %x} of a non-negative int. */
    private static String hex(int value) {
        return Integer.toHexString(value);
    }

    private static ChainEditException fail(ChainEditException.Reason reason, String message) {
        return ChainEditException.asValue(reason, message);
    }

    private int firstFreeAfterLast(CapabilitySpace space) {
        int end = space == CapabilitySpace.STANDARD ? ConfigSpace.HEADER_SIZE : EXTENDED_HEAD;
        for (VirtualCapability c : list(space)) {
            end = Math.max(end, c.end());
        }
        for (HiddenCapability h : vcs.hidden) {
            if (h.space() == space && !h.dropped()) {
                end = Math.max(end, h.end());
            }
        }
        if (space == CapabilitySpace.EXTENDED && vcs.firstExtendedNeedsStub()) {
            end = Math.max(end, EXTENDED_HEAD + 4);
        }
        return end + 3 & ~3;
    }

    private VirtualCapability link(int offset, CapabilityDefinition definition) {
        VirtualCapability v = new VirtualCapability(definition.space(), offset, definition.id(),
                definition.space() == CapabilitySpace.EXTENDED ? definition.version() : -1, definition.length(),
                definition.origin());
        List<VirtualCapability> list = list(definition.space());
        if (definition.space() == CapabilitySpace.EXTENDED && offset == EXTENDED_HEAD) {
            list.add(0, v);
        } else {
            list.add(v);
        }
        // a structure placed over a dropped capability takes its bytes over
        vcs.hidden.removeIf(h -> h.dropped() && h.space() == definition.space() && offset < h.end()
                && h.offset() < offset + definition.length());
        serve(v, definition);
        return v;
    }

    private void serve(VirtualCapability v, CapabilityDefinition definition) {
        vcs.served.put(v.offset(), definition);
        byte[] regs = definition.registers();
        int header = definition.space() == CapabilitySpace.STANDARD ? 2 : 4;
        System.arraycopy(regs, header, vcs.shadow, v.offset() + header, regs.length - header);
        vcs.rebuild();
    }

    private List<VirtualCapability> list(CapabilitySpace space) {
        return space == CapabilitySpace.STANDARD ? vcs.standard : vcs.extended;
    }
}
