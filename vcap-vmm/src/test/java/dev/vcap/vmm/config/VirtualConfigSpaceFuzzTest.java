package dev.vcap.vmm.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vcap.host.ConfigRegion;
import dev.vcap.host.InMemoryConfigRegion;
import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import dev.vcap.pci.config.Header;
import dev.vcap.vmm.placement.PlacementEngine;
import dev.vcap.vmm.placement.PlacementOptions;
import dev.vcap.vmm.placement.QuirkTable;
import dev.vcap.vmm.placement.SyntheticCapability;
import dev.vcap.vmm.synth.PasidSupport;
import dev.vcap.vmm.synth.Synthesizers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fuzzes the guest access path of {@link VirtualConfigSpace}: random sequences of reads and writes
 * of any offset, width and value over a device with the default {@link HidingPolicy} (SR-IOV and ARI
 * hidden, Resizable BAR virtualized) and PASID, PRI and ATS placed by {@link PlacementEngine}. The
 * backing is a {@link ConfigRegion} that records every write.
 *
 * <p>Input: byte 0 picks the device (bits 0-1) and where gap writes are forwarded (bits 6-7: the
 * default, standard space only; nowhere; both spaces); then
 * 7 bytes per access: byte 0 width (bits 0-1: 1, 2, 4 or a bad width), kind (bits 2-3: write,
 * write, read, write then read) and how to pick the offset (bits 4-5: anywhere, near a structure,
 * raw 16-bit, near the end); bytes 1-2 the offset material; bytes 3-6 the value.
 *
 * <p>Invariants: a bit read-only to the guest (emulated, neither writable nor write-1-to-clear)
 * never changes — except PRI's Stopped, which the synthesizer keeps equal to not-Enabled (checked in
 * the 64-byte blocks an access touches after each access, and over the whole space at the end); a write
 * reaches the backing only as naturally aligned pieces inside the guest's access, changing only
 * pass-through bits the {@link WritePolicy} forwards, never a byte of a synthesized, virtual,
 * virtualized or hidden capability or of the null stub; reads write nothing; an access outside
 * config space or of a bad width throws {@link ConfigAccessException} and changes nothing. Building
 * the space (hiding, placing) writes nothing either.
 *
 * <p>Regression inputs: {@code src/test/resources/dev/vcap/vmm/config/VirtualConfigSpaceFuzzTestInputs/guestAccesses/}.
 */
class VirtualConfigSpaceFuzzTest {

    static final PlacementOptions OPTIONS = new PlacementOptions(Map.of(), null, List.of(), QuirkTable.empty(), null,
            true, PlacementOptions.Compat.VCAP);
    static final int[] BAD_WIDTHS = {0, 3, 8, -1, 5};
    static final int MAX_ACCESSES = 48;

    /** A backing that records every write with what the bytes held before it. */
    static final class RecordingRegion implements ConfigRegion {
        record Write(int offset, int width, int value, int before) {
        }

        final InMemoryConfigRegion bytes;
        final List<Write> writes = new ArrayList<>();

        RecordingRegion(ConfigSpace image) {
            bytes = new InMemoryConfigRegion(image);
        }

        @Override
        public int size() {
            return bytes.size();
        }

        @Override
        public int read(int offset, int width) {
            return bytes.read(offset, width);
        }

        @Override
        public void write(int offset, int width, int value) {
            writes.add(new Write(offset, width, value, bytes.read(offset, width)));
            bytes.write(offset, width, value);
        }
    }

    /** Devices: PCIe endpoints with what the hiding policy and placement act on. */
    static ConfigSpace device(int which) {
        ConfigSpaceBuilder b = ConfigSpaceBuilder.endpoint(0x8086, 0x0b25).classCode(0x088000).revision(1)
                .subsystem(0x8086, 0x0001)
                .with((c, at) -> c.setU16(Header.COMMAND, 0x0006))
                .with((c, at) -> c.setU16(Header.STATUS, 0x0010))
                .standard(0x40, StandardCapability.PM, (c, at) -> c.setU16(at + 4, 0x0008))
                .standard(0x50, StandardCapability.MSI, (c, at) -> c.setU16(at + 2, 0x0180))
                .standard(0x70, StandardCapability.MSIX, (c, at) -> c.setU16(at + 2, 0x0007))
                .pcie(0x80, DeviceTraits.PCIE_ENDPOINT)
                .standard(0xC0, StandardCapability.VENDOR, (c, at) -> c.setU8(at + 2, 8))
                .with((c, at) -> c.setU32(0xD0, 0x12345678)); // a register in a gap
        return switch (which) {
            // SR-IOV at 0x100 (hidden: a null stub heads the list), ARI hidden, Resizable BAR virtualized
            case 0 -> b.extended(0x100, ExtendedCapability.SRIOV, 1, (c, at) -> c.setU16(at + 0x0E, 4))
                    .extended(0x140, ExtendedCapability.AER, 2, (c, at) -> c.setU32(at + 4, 0x0000_1000))
                    .extended(0x188, ExtendedCapability.ARI, 1)
                    .extended(0x190, ExtendedCapability.RESIZABLE_BAR, 1, (c, at) -> {
                        c.setU32(at + 4, 0x0000_0FF0);
                        c.setU32(at + 8, 0x0000_0320); // BAR 0, 1 BAR, 8 MiB
                    })
                    .extended(0x1A0, ExtendedCapability.DVSEC, 1, (c, at) -> c.setU32(at + 4, 0x0100_8086))
                    .with((c, at) -> c.setU32(0x400, 0xCAFE_F00D)) // an extended gap register
                    .build();
            // a physical ATS the synthesized one replaces, and a VSEC
            case 1 -> b.extended(0x100, ExtendedCapability.AER, 2)
                    .extended(0x148, ExtendedCapability.ATS, 1, (c, at) -> c.setU16(at + 4, 0x0020))
                    .extended(0x150, ExtendedCapability.VENDOR, 1, (c, at) -> c.setU32(at + 4, 0x0100_0001))
                    .extended(0x170, ExtendedCapability.LTR, 1)
                    .build();
            // an empty extended list: everything is inserted into it
            default -> b.build();
        };
    }

    static Map<SyntheticCapability, CapabilityDefinition> requests() {
        Map<SyntheticCapability, CapabilityDefinition> m = new LinkedHashMap<>();
        m.put(SyntheticCapability.PASID, Synthesizers.pasid(new PasidSupport(20, true, false)));
        m.put(SyntheticCapability.PRI, Synthesizers.pri(512, false));
        m.put(SyntheticCapability.ATS, Synthesizers.ats(0, true, false));
        return m;
    }

    /** Where {@link PlacementEngine} puts PASID, PRI and ATS on each device: searched once, it is deterministic. */
    static final Map<Integer, Map<SyntheticCapability, Integer>> PLACED = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Places PASID, PRI and ATS as {@link PlacementEngine#place} does (the device's own capability of
     * the kind dropped, then each inserted at the offset the policy chain picks); the offsets come
     * from one real placement per device, as the gap search costs more than the rest of an input.
     */
    static void place(VirtualConfigSpace vcs, int which) {
        Map<SyntheticCapability, Integer> offsets = PLACED.computeIfAbsent(which, w -> {
            VirtualConfigSpace probe = VirtualConfigSpace.over(new InMemoryConfigRegion(device(w)));
            HidingPolicy.defaults().apply(probe);
            var plan = PlacementEngine.place(probe, requests(), OPTIONS);
            Map<SyntheticCapability, Integer> m = new LinkedHashMap<>();
            for (SyntheticCapability c : requests().keySet()) {
                m.put(c, plan.decision(c).orElseThrow().offset().orElseThrow());
            }
            return m;
        });
        for (var r : requests().entrySet()) {
            vcs.layout().find(r.getKey().kind()).ifPresent(physical -> vcs.editor().drop(physical, "replaced"));
        }
        for (var r : requests().entrySet()) {
            vcs.editor().insert(offsets.get(r.getKey()), r.getValue());
        }
    }

    @FuzzTest(maxDuration = "30s")
    void guestAccesses(byte[] data) {
        int which = data.length == 0 ? 0 : (data[0] & 3) % 3;
        Set<CapabilitySpace> gapWrites = switch (data.length == 0 ? 0 : (data[0] & 0xC0) >>> 6) {
            case 0 -> Set.of(CapabilitySpace.STANDARD);
            case 1 -> Set.of();
            default -> Set.of(CapabilitySpace.STANDARD, CapabilitySpace.EXTENDED);
        };
        RecordingRegion backing = new RecordingRegion(device(which));
        VirtualConfigSpace vcs = VirtualConfigSpace.over(backing, WritePolicy.defaults().withGapWrites(gapWrites));
        HidingPolicy.defaults().apply(vcs);
        place(vcs, which);
        vcs.addListener(e -> assertThat(e).isNotNull());
        assertThat(backing.writes).as("building the guest's view writes nothing").isEmpty();

        int size = vcs.size();
        VirtualLayout layout = vcs.layout();
        for (SyntheticCapability c : SyntheticCapability.values()) {
            assertThat(layout.find(c.kind())).as("%s placed", c).get().extracting(VirtualCapability::origin)
                    .isEqualTo(Origin.SYNTHESIZED);
        }
        boolean[] untouchable = untouchable(layout, size);
        int[] roMask = new int[size];
        int[] fwd = new int[size];
        for (int b = 0; b < size; b++) {
            VirtualConfigSpace.BitMasks m = vcs.masks(b);
            assertThat(m.forward() & m.emulated()).as("byte 0x%x forwarded and emulated", b).isZero();
            assertThat((m.writable() | m.w1c()) & ~m.emulated()).as("byte 0x%x writable but not emulated", b).isZero();
            if (untouchable[b]) {
                assertThat(m.forward()).as("byte 0x%x of a served or hidden structure is forwarded", b).isZero();
                assertThat(m.emulated()).as("byte 0x%x of a served or hidden structure is emulated", b).isEqualTo(0xFF);
            }
            roMask[b] = m.emulated() & ~m.writable() & ~m.w1c();
            fwd[b] = m.forward() & ~m.emulated();
        }
        int pri = layout.find(ExtendedCapability.PRI).map(VirtualCapability::offset).orElse(-1);
        if (pri >= 0) {
            roMask[pri + Synthesizers.PRI_STATUS + 1] &= ~(Synthesizers.PRI_STOPPED >>> 8);
        }
        int[] initial = guestBytes(vcs);
        List<Integer> anchors = new ArrayList<>(List.of(0, Header.COMMAND, Header.STATUS, Header.BAR0, 0x3C,
                ConfigSpace.CONVENTIONAL_SIZE));
        layout.all().forEach(c -> anchors.add(c.offset()));
        layout.hidden().forEach(h -> anchors.add(h.offset()));

        int accesses = 0;
        for (int p = 1; p + 7 <= data.length && accesses < MAX_ACCESSES; p += 7, accesses++) {
            int op = data[p] & 0xFF;
            int width = switch (op & 3) {
                case 0 -> 1;
                case 1 -> 2;
                case 2 -> 4;
                default -> BAD_WIDTHS[(op >>> 2) % BAD_WIDTHS.length];
            };
            int kind = op >>> 2 & 3;
            int raw = (data[p + 1] & 0xFF) | (data[p + 2] & 0xFF) << 8;
            int offset = switch (op >>> 4 & 3) {
                case 0 -> raw % size;
                case 1 -> anchors.get((raw & 0xFF) % anchors.size()) + ((raw >>> 8) & 0x1F) - 8;
                case 2 -> (short) raw;
                default -> size - Math.max(width, 1) + (raw & 7) - 3;
            };
            int value = (data[p + 3] & 0xFF) | (data[p + 4] & 0xFF) << 8 | (data[p + 5] & 0xFF) << 16
                    | (data[p + 6] & 0xFF) << 24;
            boolean valid = (width == 1 || width == 2 || width == 4) && offset >= 0 && offset <= size - width;
            if (!valid) {
                final int o = offset;
                final int w = width;
                assertThatThrownBy(() -> vcs.write(o, w, value)).isInstanceOf(ConfigAccessException.class);
                assertThatThrownBy(() -> vcs.read(o, w)).isInstanceOf(ConfigAccessException.class);
                if (o < 0 || o >= size) {
                    assertThatThrownBy(() -> vcs.masks(o)).isInstanceOf(ConfigAccessException.class);
                }
                assertThat(backing.writes).isEmpty();
                continue;
            }
            if (kind != 2) {
                vcs.write(offset, width, value);
                checkBackingWrites(backing, offset, width, untouchable, fwd);
            }
            if (kind >= 2) {
                int v = vcs.read(offset, width);
                assertThat(width == 4 || (v & ~VirtualConfigSpace.full(width)) == 0).as("read is %d bytes", width).isTrue();
                assertThat(backing.writes).as("a read writes nothing").isEmpty();
            }
            // the 64-byte blocks the access touched after each access, the whole space at the end
            checkReadOnly(vcs, initial, roMask, offset & ~63, (offset + width + 63) & ~63,
                    String.format("a %d-byte write of 0x%x at 0x%03x", width, value, offset));
            if (pri >= 0) {
                int control = vcs.read(pri + Synthesizers.PRI_CONTROL, 2);
                int status = vcs.read(pri + Synthesizers.PRI_STATUS, 2);
                assertThat((status & Synthesizers.PRI_STOPPED) != 0).as("PRI Stopped = not Enabled")
                        .isEqualTo((control & Synthesizers.PRI_ENABLE) == 0);
                assertThat(control & Synthesizers.PRI_RESET).as("PRI Reset reads 0").isZero();
            }
        }
        checkReadOnly(vcs, initial, roMask, 0, size, accesses + " accesses");
    }

    static void checkReadOnly(VirtualConfigSpace vcs, int[] initial, int[] roMask, int from, int to, String after) {
        for (int off = Math.max(from, 0); off < Math.min(to, vcs.size()); off += 4) {
            int v = vcs.read(off, 4);
            for (int i = 0; i < 4; i++) {
                int b = off + i;
                int now = v >>> (8 * i) & 0xFF;
                if (((now ^ initial[b]) & roMask[b]) != 0) {
                    throw new AssertionError(String.format("read-only bits of byte 0x%03x changed: 0x%02x -> 0x%02x"
                            + " (read-only mask 0x%02x) after %s", b, initial[b], now, roMask[b], after));
                }
            }
        }
    }

    /** Each backing write: aligned, inside the guest's access, only forwarded bits change, no served byte. */
    static void checkBackingWrites(RecordingRegion backing, int offset, int width, boolean[] untouchable, int[] fwd) {
        for (RecordingRegion.Write w : backing.writes) {
            assertThat(w.offset() % w.width()).as("%s naturally aligned", w).isZero();
            assertThat(w.offset()).as("%s inside the guest's access", w).isGreaterThanOrEqualTo(offset);
            assertThat(w.offset() + w.width()).as("%s inside the guest's access", w).isLessThanOrEqualTo(offset + width);
            boolean forwards = false;
            for (int i = 0; i < w.width(); i++) {
                int b = w.offset() + i;
                assertThat(untouchable[b]).as("%s reaches byte 0x%x of a served or hidden structure", w, b).isFalse();
                int changed = ((w.value() ^ w.before()) >>> (8 * i)) & 0xFF;
                assertThat(changed & ~fwd[b]).as("%s changes bits of byte 0x%x the policy does not forward", w, b)
                        .isZero();
                forwards |= fwd[b] != 0;
            }
            assertThat(forwards).as("%s carries no forwarded bit", w).isTrue();
        }
        backing.writes.clear();
    }

    /** Bytes of synthesized, virtual, virtualized and hidden capabilities, and the null stub. */
    static boolean[] untouchable(VirtualLayout layout, int size) {
        boolean[] out = new boolean[size];
        layout.all().filter(c -> c.origin() != Origin.PHYSICAL).forEach(c -> mark(out, c.offset(), c.end(), c.space()));
        layout.hidden().forEach(h -> mark(out, h.offset(), h.end(), h.space()));
        if (layout.extendedStub()) {
            mark(out, ConfigSpace.CONVENTIONAL_SIZE, ConfigSpace.CONVENTIONAL_SIZE + 4, CapabilitySpace.EXTENDED);
        }
        return out;
    }

    static void mark(boolean[] out, int from, int to, CapabilitySpace space) {
        int low = space == CapabilitySpace.STANDARD ? ConfigSpace.HEADER_SIZE : ConfigSpace.CONVENTIONAL_SIZE;
        int high = space == CapabilitySpace.STANDARD ? ConfigSpace.CONVENTIONAL_SIZE : out.length;
        for (int b = Math.max(from, low); b < Math.min(to, high); b++) {
            out[b] = true;
        }
    }

    /** The guest's view, read as aligned dwords. */
    static int[] guestBytes(VirtualConfigSpace vcs) {
        int[] out = new int[vcs.size()];
        for (int off = 0; off < out.length; off += 4) {
            int v = vcs.read(off, 4);
            for (int i = 0; i < 4; i++) {
                out[off + i] = v >>> (8 * i) & 0xFF;
            }
        }
        return out;
    }
}
