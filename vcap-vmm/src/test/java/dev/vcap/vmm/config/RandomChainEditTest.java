package dev.vcap.vmm.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.host.InMemoryConfigRegion;
import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.capability.Finding;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import dev.vcap.vmm.synth.PasidSupport;
import dev.vcap.vmm.synth.Synthesizers;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Randomized, with fixed seeds: random physical chains (any order, backward pointers, an empty
 * list, a capability at 0x100 or not), then random sequences of hide, drop, insert and append.
 * After every step the guest's walk terminates, visits each visible capability exactly once in the
 * editor's order, and no two visible capabilities overlap.
 */
class RandomChainEditTest {

    private static final ExtendedCapability[] KINDS = {ExtendedCapability.AER, ExtendedCapability.ATS,
        ExtendedCapability.ARI, ExtendedCapability.LTR, ExtendedCapability.DSN, ExtendedCapability.L1PM,
        ExtendedCapability.PTM, ExtendedCapability.SRIOV, ExtendedCapability.PRI, ExtendedCapability.DATA_LINK_FEATURE};

    @Test
    void randomEditsNeverCorruptTheChain() {
        for (long seed = 1; seed <= 300; seed++) {
            Random random = new Random(seed);
            VirtualConfigSpace vcs = VirtualConfigSpace.over(new InMemoryConfigRegion(randomDevice(random)));
            check(vcs, seed, -1);
            for (int step = 0; step < 12; step++) {
                edit(vcs, random);
                check(vcs, seed, step);
            }
        }
    }

    /**
     * {@link ChainEditor#causeHoldsThrough}, which lets placement skip offsets, only ever covers
     * offsets for which {@link ChainEditor#cause} gives the very same answer (the same capability, or
     * none), after any sequence of edits (hidden, dropped and inserted capabilities included); and it
     * does skip.
     */
    @Test
    void aCauseHoldsThroughOnlyOffsetsWithTheSameCause() {
        int skipped = 0;
        for (long seed = 1; seed <= 120; seed++) {
            Random random = new Random(seed);
            VirtualConfigSpace vcs = VirtualConfigSpace.over(new InMemoryConfigRegion(randomDevice(random)));
            for (int step = 0; step < 8; step++) {
                edit(vcs, random);
                ChainEditor editor = vcs.editor();
                for (int length : new int[] {8, 12, 16, 48}) {
                    int n = (vcs.size() - length - 0x100) / 4 + 1;
                    Object[] causes = new Object[Math.max(n, 0)];
                    for (int i = 0; i < n; i++) {
                        causes[i] = editor.cause(CapabilitySpace.EXTENDED, 0x100 + 4 * i, length);
                    }
                    int[] sameThrough = new int[causes.length]; // the last index with the very same cause
                    for (int i = causes.length - 1; i >= 0; i--) {
                        sameThrough[i] = i + 1 < causes.length && causes[i + 1] == causes[i] ? sameThrough[i + 1] : i;
                    }
                    for (int i = 0; i < n; i++) {
                        int off = 0x100 + 4 * i;
                        int through = editor.causeHoldsThrough(CapabilitySpace.EXTENDED, off, length, causes[i]);
                        assertThat(through).isGreaterThanOrEqualTo(off);
                        assertThat((through - off) % 4).isZero();
                        assertThat((through - 0x100) / 4).as("seed %d step %d: %d bytes at 0x%x (%s) through 0x%x",
                                seed, step, length, off, causes[i], through).isLessThanOrEqualTo(sameThrough[i]);
                        skipped += (through - off) / 4;
                    }
                }
            }
        }
        assertThat(skipped).as("offsets skipped").isGreaterThan(10_000);
    }

    private static ConfigSpace randomDevice(Random random) {
        ConfigSpaceBuilder b = ConfigSpaceBuilder.endpoint(0x1234, 0x5678).pcie(0x40, DeviceTraits.PCIE_ENDPOINT);
        int count = random.nextInt(6); // 0 = empty extended list
        List<Integer> slots = new ArrayList<>();
        for (int slot = 0x100; slot < 0x1000; slot += 0x80) {
            slots.add(slot);
        }
        java.util.Collections.shuffle(slots, random);
        List<Integer> chosen = new ArrayList<>(slots.subList(0, count));
        boolean headAt0x100 = random.nextBoolean();
        if (count > 0 && headAt0x100 && !chosen.contains(0x100)) {
            chosen.set(0, 0x100);
        } else if (count > 0 && chosen.get(0) != 0x100) {
            chosen.remove(Integer.valueOf(0x100));
            chosen.add(0, 0x100);
            if (chosen.size() > count) {
                chosen.remove(chosen.size() - 1);
            }
        }
        for (int off : chosen) { // chain order = this random order: backward pointers happen
            b.extended(off, KINDS[random.nextInt(KINDS.length)], 1);
        }
        return b.build();
    }

    private static void edit(VirtualConfigSpace vcs, Random random) {
        VirtualLayout layout = vcs.layout();
        ChainEditor editor = vcs.editor();
        switch (random.nextInt(4)) {
            case 0 -> {
                if (!layout.extended().isEmpty()) {
                    editor.hide(layout.extended().get(random.nextInt(layout.extended().size())), "random");
                }
            }
            case 1 -> {
                if (!layout.extended().isEmpty()) {
                    editor.drop(layout.extended().get(random.nextInt(layout.extended().size())), "random");
                }
            }
            case 2 -> {
                int offset = 0x100 + 4 * random.nextInt((0x1000 - 0x100) / 4);
                CapabilityDefinition def = random.nextBoolean()
                        ? Synthesizers.pasid(new PasidSupport(1 + random.nextInt(20), random.nextBoolean(), false))
                        : Synthesizers.pri(random.nextInt(1024), random.nextBoolean());
                if (editor.check(CapabilitySpace.EXTENDED, offset, def.length()).isEmpty()) {
                    editor.insert(offset, def);
                }
            }
            default -> {
                CapabilityDefinition def = Synthesizers.ats(random.nextInt(32), random.nextBoolean(), false);
                try {
                    editor.append(def);
                } catch (ChainEditException e) {
                    assertThat(e.reason()).isEqualTo(ChainEditException.Reason.OUT_OF_BOUNDS);
                }
            }
        }
    }

    private static void check(VirtualConfigSpace vcs, long seed, int step) {
        String where = "seed " + seed + " step " + step;
        CapabilityChain chain = CapabilityChain.walk(vcs.guestImage());
        assertThat(chain.findings()).as(where).extracting(Finding::kind).doesNotContain(Finding.Kind.LOOP,
                Finding.Kind.OVERLAP, Finding.Kind.CHAIN_BROKEN, Finding.Kind.ZERO_CAPABILITY_HEADER,
                Finding.Kind.POINTER_OUT_OF_RANGE, Finding.Kind.EXTENDS_PAST_END);
        VirtualLayout layout = vcs.layout();
        List<Integer> walked = chain.extended().stream().filter(c -> !(c.id() == 0 && c.offset() == 0x100))
                .map(Capability::offset).toList();
        assertThat(walked).as(where).containsExactlyElementsOf(
                layout.extended().stream().map(VirtualCapability::offset).toList());
        Set<Integer> seen = new HashSet<>(walked);
        assertThat(seen).as(where + ": each capability once").hasSameSizeAs(walked);
        List<VirtualCapability> byOffset = new ArrayList<>(layout.extended());
        byOffset.sort(Comparator.comparingInt(VirtualCapability::offset));
        for (int i = 1; i < byOffset.size(); i++) {
            assertThat(byOffset.get(i - 1).end()).as(where + " overlap").isLessThanOrEqualTo(byOffset.get(i).offset());
        }
    }
}
