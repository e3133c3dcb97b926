package dev.vcap.vmm.config;

import dev.vcap.host.ConfigRegion;
import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.Header;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.StampedLock;
import java.util.function.Consumer;

/**
 * The config space a guest sees for one assigned device: a shadow image plus per-bit masks, over
 * the host's {@link ConfigRegion}.
 *
 * <pre>
 *   guest read  = (shadow &amp; emulated) | (backing &amp; ~emulated)
 *   guest write : shadow = ((old &amp; ~writable) | (val &amp; writable)) &amp; ~(val &amp; w1c)   on emulated bits
 *                 backing gets val's forward bits (read-modify-write), never an emulated bit
 * </pre>
 *
 * Per-bit masks, one byte array each, indexed by offset:
 * <ul>
 * <li>{@code emulated}: served from the shadow; every other bit is read from the backing;</li>
 * <li>{@code writable} / {@code w1c}: emulated bits the guest may write / clears by writing 1;</li>
 * <li>{@code forward}: pass-through bits whose guest writes reach the device (the
 * {@link WritePolicy}); zero wherever anything is emulated, synthesized or hidden;</li>
 * <li>{@code checked}: bits a migration destination must reproduce exactly: emulated read-only bits of
 * the header's identity, of capability headers and of the capabilities the VMM serves; not BARs or
 * the ROM address (the VMM's resources, not the layout), not hidden capabilities' bodies (the
 * guest does not see them).</li>
 * </ul>
 *
 * <p>Accesses are 1, 2 or 4 bytes at any offset; they are cut into naturally aligned pieces that
 * stay inside one dword and one capability, as vfio cuts them, so a piece never mixes the rules of
 * two structures. An access outside config space is a {@link ConfigAccessException}.
 *
 * <p>Unlike QEMU — which forwards every guest write to vfio and lets vfio filter it — a write to
 * an emulated, synthesized or hidden byte never reaches the backing, and a pass-through bit
 * reaches it only where the write policy says so. The guest is untrusted: vfio's own filter
 * passes raw writes to gaps and to hidden capabilities' bodies.
 *
 * <p>The VMM owns every next pointer: capability headers are emulated, and the chain the guest
 * walks is the one {@link ChainEditor} keeps. Thread safety: any number of vCPU threads may
 * access concurrently; a read of one naturally aligned piece is optimistic (lock-free, retried
 * under the lock if a write or edit intervened), other accesses and all edits serialize on a
 * {@link StampedLock}, so no multi-byte register is ever read torn. Writes are also serialized
 * with the delivery of their {@link VmmEvent}s, so listeners see them in write order.
 */
public final class VirtualConfigSpace {

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    /** Region codes, per byte. Capabilities and hidden capabilities use codes >= FIRST_STRUCTURE. */
    static final short GAP = 0;
    static final short HEADER = 1;
    static final short STUB = 2;
    static final short FIRST_STRUCTURE = 3;

    final ConfigRegion backing;
    final int size;
    final byte[] shadow;
    /** The device's bytes when the VMM first read them: what emulated registers return to on reset. */
    final byte[] atAssignment;
    final byte[] emulated;
    final byte[] writable;
    final byte[] w1c;
    final byte[] forward;
    final byte[] hardwareW1c;
    final byte[] checked;
    final short[] region;
    final boolean[] uniformDword;
    final WritePolicy policy;
    final boolean extendedList;

    /** Chain order of what the guest sees. */
    final List<VirtualCapability> standard = new ArrayList<>();
    final List<VirtualCapability> extended = new ArrayList<>();
    final List<HiddenCapability> hidden = new ArrayList<>();
    /**
     * Offsets of served capabilities inserted as QEMU's {@code pcie_insert_capability()} inserts,
     * over whatever they cover ({@link ChainEditor#insertAsQemu}): their bytes win over every other
     * structure's, a header they cover included.
     */
    final java.util.Set<Integer> overlays = new java.util.HashSet<>();
    /** Definitions of capabilities the VMM serves, by offset (synthesized, virtual, virtualized). */
    final java.util.Map<Integer, CapabilityDefinition> served = new java.util.HashMap<>();
    /** Region code -> structure, for hooks and events. */
    final List<Object> structures = new ArrayList<>();

    final StampedLock lock = new StampedLock();
    /**
     * Serializes guest writes with the delivery of their events, so listeners see events in the
     * order the writes happened (two vCPUs racing on PASID Enable leave the vIOMMU agreeing with
     * the register). Listeners run without {@link #lock}: they may read, and reset served state.
     */
    private final ReentrantLock writes = new ReentrantLock();
    private final List<Consumer<VmmEvent>> listeners = new CopyOnWriteArrayList<>();
    private final byte[] hookBefore = new byte[ConfigSpace.EXTENDED_SIZE];
    /** Edits, guest writes and restores so far: see {@link #changes()}. */
    private volatile long changes;

    private VirtualConfigSpace(ConfigRegion backing, WritePolicy policy) {
        this.backing = backing;
        this.policy = policy;
        this.size = backing.size();
        if (size != ConfigSpace.CONVENTIONAL_SIZE && size != ConfigSpace.EXTENDED_SIZE) {
            throw new IllegalArgumentException("a config region is 256 or 4096 bytes, got " + size);
        }
        shadow = new byte[size];
        atAssignment = new byte[size];
        emulated = new byte[size];
        writable = new byte[size];
        w1c = new byte[size];
        forward = new byte[size];
        hardwareW1c = new byte[size];
        checked = new byte[size];
        region = new short[size];
        uniformDword = new boolean[size / 4];
        for (int off = 0; off < size; off += 4) {
            INT.set(shadow, off, backing.read(off, 4));
        }
        System.arraycopy(shadow, 0, atAssignment, 0, size);
        CapabilityChain chain = CapabilityChain.walk(ConfigSpace.wrap(shadow.clone()));
        extendedList = size == ConfigSpace.EXTENDED_SIZE && chain.isPciExpress();
        for (Capability c : chain.standard()) {
            if (c.offset() < ConfigSpace.HEADER_SIZE) {
                hidden.add(new HiddenCapability(c.space(), c.offset(), c.id(), c.version(), c.length(), false,
                        "its offset lies inside the 64-byte header"));
            } else {
                standard.add(new VirtualCapability(c.space(), c.offset(), c.id(), c.version(), c.length(), Origin.PHYSICAL));
            }
        }
        if (extendedList) {
            for (Capability c : chain.extended()) {
                if (c.id() == 0 && c.offset() == ChainEditor.EXTENDED_HEAD) {
                    continue; // the host's null stub at 0x100: the VMM writes its own
                }
                extended.add(new VirtualCapability(c.space(), c.offset(), c.id(), c.version(),
                        Math.min(c.length(), size - c.offset()), Origin.PHYSICAL));
            }
        }
        rebuild();
    }

    /**
     * The guest's view over a host config region, with the default write policy: every capability
     * the host shows is passed through at its physical offset; nothing hidden or synthesized yet.
     */
    public static VirtualConfigSpace over(ConfigRegion backing) {
        return new VirtualConfigSpace(backing, WritePolicy.defaults());
    }

    public static VirtualConfigSpace over(ConfigRegion backing, WritePolicy policy) {
        return new VirtualConfigSpace(backing, policy);
    }

    /** The editor of this config space's capability chains. */
    public ChainEditor editor() {
        return new ChainEditor(this);
    }

    public int size() {
        return size;
    }

    /** True when the guest can have extended capabilities (a 4 KiB PCI Express function). */
    public boolean hasExtendedList() {
        return extendedList;
    }

    /**
     * True when the host's view showed extended capabilities when the VMM first read it: a 4 KiB
     * PCI Express function whose dword at 0x100 is not 0 (vfio writes a null capability there, with
     * a next pointer, when it hides the first one).
     */
    public boolean hostShowsExtendedCapabilities() {
        return extendedList && (int) INT.get(atAssignment, ChainEditor.EXTENDED_HEAD) != 0;
    }

    /** Registers a listener for the events guest writes to synthesized registers produce. */
    public void addListener(Consumer<VmmEvent> listener) {
        listeners.add(listener);
    }

    // ---------------------------------------------------------------- guest accesses

    /**
     * A guest read of {@code width} (1, 2 or 4) bytes at any offset.
     *
     * @throws ConfigAccessException for a bad width or an access outside config space
     */
    public int read(int offset, int width) {
        check(offset, width);
        if ((offset & (width - 1)) == 0 && uniformDword[offset >>> 2]) {
            // one piece: read without the lock and keep the result if no edit or write intervened;
            // a pass-through piece may then be read from the backing twice, which config reads allow
            long stamp = lock.tryOptimisticRead();
            int value = readPiece(offset, width);
            if (lock.validate(stamp)) {
                return value;
            }
        }
        long stamp = lock.readLock();
        try {
            return readPieces(offset, width);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /**
     * A guest write of the low {@code width} (1, 2 or 4) bytes of {@code value} at any offset.
     *
     * @throws ConfigAccessException for a bad width or an access outside config space
     */
    public void write(int offset, int width, int value) {
        check(offset, width);
        writes.lock();
        try {
            writeAndDispatch(offset, width, value);
        } finally {
            writes.unlock();
        }
    }

    private void writeAndDispatch(int offset, int width, int value) {
        List<VmmEvent> events = null;
        long stamp = lock.writeLock();
        try {
            changes++;
            int end = offset + width;
            int pos = offset;
            short hooked = -1;
            while (pos < end) {
                int w = pieceWidth(pos, end);
                short code = region[pos];
                if (hooked != code && code >= FIRST_STRUCTURE && hookOf(code) != null) {
                    events = runHook(hooked, events);
                    hooked = code;
                    snapshot(code);
                }
                int piece = value >>> (8 * (pos - offset));
                writePiece(pos, w, piece);
                if (code >= FIRST_STRUCTURE && initiatesFlr(code, pos, w, piece)) {
                    events = events == null ? new ArrayList<>(1) : events;
                    events.add(new VmmEvent.FunctionLevelReset(((VirtualCapability) structures.get(code
                            - FIRST_STRUCTURE)).offset()));
                }
                pos += w;
            }
            events = runHook(hooked, events);
        } finally {
            lock.unlockWrite(stamp);
        }
        if (events != null) {
            for (VmmEvent e : events) {
                for (Consumer<VmmEvent> l : listeners) {
                    l.accept(e);
                }
            }
        }
    }

    /** PCI Express Device Capabilities, Device Control and its Initiate Function Level Reset bit. */
    private static final int EXP_DEVCAP = 0x04;
    private static final int EXP_DEVCAP_FLR = 1 << 28;
    private static final int EXP_DEVCTL = 0x08;
    private static final int EXP_DEVCTL_BCR_FLR = 1 << 15;

    /**
     * Whether a piece written into structure {@code code} sets Initiate FLR of a function that
     * advertises FLR. The bit itself is emulated and reads 0 (WritePolicy); the reset is the VMM's.
     */
    private boolean initiatesFlr(short code, int pos, int w, int piece) {
        if (!(structures.get(code - FIRST_STRUCTURE) instanceof VirtualCapability vc)
                || !vc.is(StandardCapability.PCI_EXPRESS)) {
            return false;
        }
        int flrByte = vc.offset() + EXP_DEVCTL + 1;
        if (flrByte < pos || flrByte >= pos + w || (piece >>> (8 * (flrByte - pos)) & EXP_DEVCTL_BCR_FLR >>> 8) == 0) {
            return false;
        }
        return (readPiece(vc.offset() + EXP_DEVCAP, 4) & EXP_DEVCAP_FLR) != 0;
    }

    private int readPieces(int offset, int width) {
        int end = offset + width;
        int pos = offset;
        int result = 0;
        while (pos < end) {
            int w = pieceWidth(pos, end);
            result |= readPiece(pos, w) << (8 * (pos - offset));
            pos += w;
        }
        return width == 4 ? result : result & full(width);
    }

    private int readPiece(int pos, int w) {
        int emu = mask(emulated, pos, w);
        int value = get(shadow, pos, w);
        if (emu == full(w)) {
            return value;
        }
        int hw = backing.read(pos, w);
        return (value & emu) | (hw & ~emu & full(w));
    }

    private void writePiece(int pos, int w, int value) {
        int all = full(w);
        value &= all;
        int emu = mask(emulated, pos, w);
        if (emu != 0) {
            int wm = mask(writable, pos, w) & emu;
            int clear = mask(w1c, pos, w) & emu;
            int old = get(shadow, pos, w);
            int updated = ((old & ~wm) | (value & wm)) & ~(value & clear);
            put(shadow, pos, w, (old & ~emu) | (updated & emu));
        }
        int fwd = mask(forward, pos, w) & ~emu & all;
        if (fwd != 0) {
            int hwClear = mask(hardwareW1c, pos, w);
            int hw = fwd == all ? 0 : backing.read(pos, w) & ~hwClear;
            backing.write(pos, w, (hw & ~fwd) | (value & fwd));
        }
    }

    /** Width of the next piece: naturally aligned, inside one dword and one region. */
    private int pieceWidth(int pos, int end) {
        int limit = Math.min(end, (pos & ~3) + 4);
        short code = region[pos];
        int n = 1;
        while (pos + n < limit && region[pos + n] == code) {
            n++;
        }
        if (n >= 4 && (pos & 3) == 0) {
            return 4;
        }
        if (n >= 2 && (pos & 1) == 0) {
            return 2;
        }
        return 1;
    }

    private void check(int offset, int width) {
        if (width != 1 && width != 2 && width != 4) {
            throw new ConfigAccessException("config access width must be 1, 2 or 4, got " + width);
        }
        if (offset < 0 || offset > size - width) {
            throw new ConfigAccessException(String.format("%d-byte config access at 0x%x is outside the %d-byte"
                    + " config space", width, offset, size));
        }
    }

    // ---------------------------------------------------------------- hooks

    private RegisterHook hookOf(short code) {
        Object s = structures.get(code - FIRST_STRUCTURE);
        if (s instanceof VirtualCapability vc) {
            CapabilityDefinition def = served.get(vc.offset());
            return def == null ? null : def.hook();
        }
        return null;
    }

    private void snapshot(short code) {
        VirtualCapability vc = (VirtualCapability) structures.get(code - FIRST_STRUCTURE);
        System.arraycopy(shadow, vc.offset(), hookBefore, vc.offset(), vc.length());
    }

    private List<VmmEvent> runHook(short code, List<VmmEvent> events) {
        if (code < FIRST_STRUCTURE) {
            return events;
        }
        VirtualCapability vc = (VirtualCapability) structures.get(code - FIRST_STRUCTURE);
        RegisterHook hook = hookOf(code);
        List<VmmEvent> out = events == null ? new ArrayList<>(2) : events;
        int base = vc.offset();
        int length = vc.length();
        hook.afterWrite(new RegisterHook.Registers() {
            @Override
            public int offset() {
                return base;
            }

            @Override
            public int before(int relative, int width) {
                checkRelative(relative, width);
                return get(hookBefore, base + relative, width);
            }

            @Override
            public int after(int relative, int width) {
                checkRelative(relative, width);
                return get(shadow, base + relative, width);
            }

            @Override
            public void set(int relative, int width, int value) {
                checkRelative(relative, width);
                put(shadow, base + relative, width, value);
            }

            private void checkRelative(int relative, int width) {
                if (relative < 0 || relative + width > length) {
                    throw new IllegalArgumentException("register outside the capability");
                }
            }
        }, out::add);
        return out;
    }

    // ---------------------------------------------------------------- views

    /**
     * The whole config space as the guest reads it, dword by dword, under one read lock: no write or
     * edit lands between two of its dwords.
     */
    public ConfigSpace guestImage() {
        return guestImage(size);
    }

    /**
     * The first {@code length} bytes (a multiple of 16, at most {@link #size()}) as the guest reads
     * them, as {@link #guestImage()} reads them: what needs the header alone reads 64 bytes, not 4 KiB.
     */
    public ConfigSpace guestImage(int length) {
        if (length > size) {
            throw new IllegalArgumentException("the config space has " + size + " bytes, not " + length);
        }
        ConfigSpace out = ConfigSpace.allocate(length);
        long stamp = lock.readLock();
        try {
            for (int off = 0; off < length; off += 4) {
                out.setU32(off, readPieces(off, 4));
            }
        } finally {
            lock.unlockRead(stamp);
        }
        return out;
    }

    /**
     * How many times this config space has changed so far: every chain edit, guest write, restore
     * and reset counts one. What is computed from the guest's view (an image, the gaps) stays
     * valid while the count is unchanged and the backing's bytes do not change under it.
     */
    public long changes() {
        return changes;
    }

    /** The bytes no capability, hidden capability, stub or header owns, as {@link #isGap} tells them one by one. */
    public java.util.BitSet gaps() {
        long stamp = lock.readLock();
        try {
            java.util.BitSet out = new java.util.BitSet(size);
            for (int b = 0; b < size; b++) {
                if (region[b] == GAP) {
                    out.set(b);
                }
            }
            return out;
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** The guest-visible chains and the hidden capabilities, as they are now. */
    public VirtualLayout layout() {
        long stamp = lock.readLock();
        try {
            return new VirtualLayout(List.copyOf(standard), List.copyOf(extended), List.copyOf(hidden),
                    firstExtendedNeedsStub());
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** The per-bit masks of one byte, for inspection and tests. */
    public BitMasks masks(int offset) {
        check(offset, 1);
        return new BitMasks(emulated[offset] & 0xFF, writable[offset] & 0xFF, w1c[offset] & 0xFF,
                forward[offset] & 0xFF, checked[offset] & 0xFF);
    }

    /**
     * The masks of one byte.
     *
     * @param emulated served from the shadow
     * @param writable guest-writable (emulated bits)
     * @param w1c      guest write-1-to-clear (emulated bits)
     * @param forward  guest writes reach the device
     * @param checked  checked on migration
     */
    public record BitMasks(int emulated, int writable, int w1c, int forward, int checked) {
    }

    /**
     * Restores the guest-writable bits of one byte from a migration's saved state: emulated
     * writable and write-1-to-clear bits take {@code value}'s bits; nothing else changes, no hook
     * runs and nothing reaches the backing. The VMM then reads the restored control registers to
     * re-establish what they mean (PASID bindings, ATS, PRI).
     */
    public void restore(int offset, int value) {
        check(offset, 1);
        long stamp = lock.writeLock();
        try {
            changes++;
            int mask = (writable[offset] | w1c[offset]) & emulated[offset] & 0xFF;
            shadow[offset] = (byte) ((shadow[offset] & ~mask) | (value & mask));
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /** A copy of every byte's checked-on-migration bits. */
    public byte[] checkedMask() {
        long stamp = lock.readLock();
        try {
            return checked.clone();
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** True when no capability, hidden capability, stub or header owns the byte. */
    public boolean isGap(int offset) {
        check(offset, 1);
        long stamp = lock.readLock();
        try {
            return region[offset] == GAP;
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /**
     * An FLR or device reset of what the VMM serves: the guest-writable emulated bits of the header
     * and of physical capabilities (MSI and MSI-X state, Cache Line Size, Latency Timer, Interrupt
     * Line) back to what the guest first saw, and every served capability back to its reset values.
     */
    public void resetServed() {
        long stamp = lock.writeLock();
        try {
            changes++;
            for (int b = 0; b < size; b++) {
                int guestBits = (writable[b] | w1c[b]) & emulated[b];
                shadow[b] = (byte) (shadow[b] & ~guestBits | atAssignment[b] & guestBits);
            }
            for (var e : served.entrySet()) {
                byte[] regs = e.getValue().registers();
                int headerBytes = e.getValue().space() == CapabilitySpace.STANDARD ? 2 : 4;
                System.arraycopy(regs, headerBytes, shadow, e.getKey() + headerBytes, regs.length - headerBytes);
            }
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    // ---------------------------------------------------------------- layout bookkeeping (editor)

    boolean firstExtendedNeedsStub() {
        return extendedList && !extended.isEmpty() && extended.get(0).offset() != ChainEditor.EXTENDED_HEAD;
    }

    /**
     * Recomputes masks, regions and pointers from the lists and the served definitions. Called
     * under the write lock (or from the constructor) after every edit.
     */
    void rebuild() {
        changes++;
        resetMasks();
        structures.clear();
        apply(0, ConfigSpace.HEADER_SIZE, policy.header());
        for (HiddenCapability h : hidden) {
            applyHidden(h);
        }
        for (List<VirtualCapability> list : List.of(standard, extended)) {
            for (VirtualCapability c : list) {
                if (overlays.contains(c.offset()) && c.space() == CapabilitySpace.EXTENDED) {
                    continue; // laid over the rest below
                }
                applyCapability(c);
            }
        }
        for (VirtualCapability c : extended) {
            if (overlays.contains(c.offset())) {
                applyCapability(c);
            }
        }
        if (extendedList) {
            relinkExtended();
        }
        relinkStandard();
        computeChecked();
        computeUniformDwords();
    }

    // Each pass over the whole space is a method of its own: a plan rebuilds a few hundred spaces,
    // too few calls for the JIT to compile rebuild, but enough for each pass's loop; compiled alone,
    // each is a small, quick compilation, where rebuild with them all inlined took the compiler
    // nearly half a second (docs/PERFORMANCE.md).

    /** Every byte a gap (forwarding writes where the policy lets gap writes through), the first 64 the header's. */
    private void resetMasks() {
        Arrays.fill(emulated, (byte) 0);
        Arrays.fill(writable, (byte) 0);
        Arrays.fill(w1c, (byte) 0);
        Arrays.fill(forward, (byte) 0);
        Arrays.fill(hardwareW1c, (byte) 0);
        Arrays.fill(region, GAP);
        if (policy.gapWrites(CapabilitySpace.STANDARD)) {
            Arrays.fill(forward, 0, Math.min(size, ConfigSpace.CONVENTIONAL_SIZE), (byte) 0xFF);
        }
        if (policy.gapWrites(CapabilitySpace.EXTENDED) && size > ConfigSpace.CONVENTIONAL_SIZE) {
            Arrays.fill(forward, ConfigSpace.CONVENTIONAL_SIZE, size, (byte) 0xFF);
        }
        Arrays.fill(forward, 0, ConfigSpace.HEADER_SIZE, (byte) 0);
        Arrays.fill(region, 0, ConfigSpace.HEADER_SIZE, HEADER);
    }

    /** Gives a hidden capability's bytes their region: emulated, reading the shadow's bytes. */
    private void applyHidden(HiddenCapability h) {
        short code = structure(h);
        int from = Math.max(h.offset(), h.space() == CapabilitySpace.STANDARD ? ConfigSpace.HEADER_SIZE
                : ConfigSpace.CONVENTIONAL_SIZE);
        int to = Math.min(h.end(), h.space() == CapabilitySpace.STANDARD ? ConfigSpace.CONVENTIONAL_SIZE : size);
        for (int b = from; b < to; b++) {
            region[b] = code;
            emulated[b] = (byte) 0xFF;
            forward[b] = 0;
        }
    }

    private void computeChecked() {
        int headerType = Header.type(ConfigSpace.wrap(shadow));
        for (int b = 0; b < size; b++) {
            boolean resource = b < ConfigSpace.HEADER_SIZE && !policy.checkedOnMigration(b, headerType);
            boolean hiddenBody = region[b] >= FIRST_STRUCTURE && structures.get(region[b] - FIRST_STRUCTURE)
                    instanceof HiddenCapability;
            checked[b] = resource || hiddenBody ? 0 : (byte) (emulated[b] & ~writable[b] & ~w1c[b]);
        }
    }

    private void computeUniformDwords() {
        for (int d = 0; d < uniformDword.length; d++) {
            int o = d * 4;
            uniformDword[d] = region[o] == region[o + 1] && region[o] == region[o + 2] && region[o] == region[o + 3];
        }
    }

    /** Gives a visible capability's bytes their region and masks. */
    private void applyCapability(VirtualCapability c) {
        short code = structure(c);
        int to = Math.min(c.end(), c.space() == CapabilitySpace.STANDARD ? ConfigSpace.CONVENTIONAL_SIZE : size);
        for (int b = c.offset(); b < to; b++) {
            region[b] = code;
            forward[b] = 0;
        }
        CapabilityDefinition def = served.get(c.offset());
        if (def != null) {
            for (int i = 0; i < to - c.offset(); i++) {
                emulated[c.offset() + i] = (byte) 0xFF;
                writable[c.offset() + i] = (byte) (i < headerBytes(c.space()) ? 0 : def.writeMask()[i]);
                w1c[c.offset() + i] = (byte) (i < headerBytes(c.space()) ? 0 : def.w1cMask()[i]);
            }
        } else {
            apply(c.offset(), to - c.offset(), policy.capability(c.space(), c.id()));
        }
        Arrays.fill(emulated, c.offset(), c.offset() + headerBytes(c.space()), (byte) 0xFF);
        Arrays.fill(writable, c.offset(), c.offset() + headerBytes(c.space()), (byte) 0);
        Arrays.fill(forward, c.offset(), c.offset() + headerBytes(c.space()), (byte) 0);
    }

    private short structure(Object s) {
        structures.add(s);
        return (short) (FIRST_STRUCTURE + structures.size() - 1);
    }

    private static int headerBytes(CapabilitySpace space) {
        return space == CapabilitySpace.STANDARD ? 2 : 4;
    }

    /** Applies a policy table to the structure at {@code base} of {@code length} bytes. */
    private void apply(int base, int length, List<WritePolicy.Field> fields) {
        for (WritePolicy.Field f : fields) {
            if (f.width() == 0) {
                for (int b = base + f.offset(); b < base + length; b++) {
                    setMasks(b, f, 0);
                }
            } else {
                for (int i = 0; i < f.width() && f.offset() + i < length; i++) {
                    setMasks(base + f.offset() + i, f, 8 * i);
                }
            }
        }
    }

    private void setMasks(int b, WritePolicy.Field f, int shift) {
        emulated[b] = (byte) (f.emulated() >>> shift);
        writable[b] = (byte) (f.writable() >>> shift);
        w1c[b] = (byte) (f.w1c() >>> shift);
        forward[b] = (byte) (f.forward() >>> shift);
        hardwareW1c[b] = (byte) (f.hardwareW1c() >>> shift);
    }

    private void relinkStandard() {
        int pointerOffset = Header.capabilityPointerOffset(ConfigSpace.wrap(shadow));
        shadow[pointerOffset] = (byte) (standard.isEmpty() ? 0 : standard.get(0).offset());
        emulated[pointerOffset] = (byte) 0xFF;
        int status = get(shadow, Header.STATUS, 2);
        status = standard.isEmpty() ? status & ~Header.STATUS_CAPABILITY_LIST : status | Header.STATUS_CAPABILITY_LIST;
        put(shadow, Header.STATUS, 2, status);
        emulated[Header.STATUS] |= Header.STATUS_CAPABILITY_LIST;
        for (int i = 0; i < standard.size(); i++) {
            VirtualCapability c = standard.get(i);
            shadow[c.offset() + StandardCapability.ID] = (byte) c.id();
            shadow[c.offset() + StandardCapability.NEXT] = (byte) (i + 1 < standard.size() ? standard.get(i + 1).offset() : 0);
        }
    }

    private void relinkExtended() {
        int head = ChainEditor.EXTENDED_HEAD;
        if (firstExtendedNeedsStub()) {
            INT.set(shadow, head, ExtendedCapability.header(0, 0, extended.get(0).offset()));
            for (int b = head; b < head + 4; b++) {
                region[b] = STUB;
                emulated[b] = (byte) 0xFF;
                forward[b] = 0;
                writable[b] = 0;
            }
        } else if (extended.isEmpty()) {
            INT.set(shadow, head, 0);
            for (int b = head; b < head + 4; b++) {
                emulated[b] = (byte) 0xFF;
                forward[b] = 0;
            }
        }
        for (int i = 0; i < extended.size(); i++) {
            VirtualCapability c = extended.get(i);
            if (!overlays.contains(c.offset()) && overlaid(c.offset())) {
                continue; // QEMU wrote the overlay's registers over this header: the guest reads those
            }
            int next = i + 1 < extended.size() ? extended.get(i + 1).offset() : 0;
            INT.set(shadow, c.offset(), ExtendedCapability.header(c.id(), Math.max(c.version(), 0), next));
        }
    }

    /** Whether an overlay covers the byte at {@code offset}. */
    private boolean overlaid(int offset) {
        for (int o : overlays) {
            CapabilityDefinition def = served.get(o);
            if (def != null && offset >= o && offset < o + def.length()) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- little-endian helpers

    static int full(int width) {
        return width == 4 ? -1 : (1 << (8 * width)) - 1;
    }

    static int get(byte[] bytes, int offset, int width) {
        return switch (width) {
            case 4 -> (int) INT.get(bytes, offset);
            case 2 -> (short) SHORT.get(bytes, offset) & 0xFFFF;
            default -> bytes[offset] & 0xFF;
        };
    }

    static void put(byte[] bytes, int offset, int width, int value) {
        switch (width) {
            case 4 -> INT.set(bytes, offset, value);
            case 2 -> SHORT.set(bytes, offset, (short) value);
            default -> bytes[offset] = (byte) value;
        }
    }

    private static int mask(byte[] masks, int offset, int width) {
        return get(masks, offset, width);
    }
}
