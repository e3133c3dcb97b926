package dev.vcap.guest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.capability.Finding;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.Header;
import dev.vcap.pci.occupancy.ByteRange;
import dev.vcap.pci.occupancy.OccupancyMap;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * For every corpus device: a guest probed on it verifies clean; then each capability the guest
 * cached is, one at a time, moved to a free spot of the same space (relinked, its old bytes
 * cleared; a first extended capability leaves a null stub at 0x100 as vfio does) and the device
 * is swapped under the guest. {@link GuestPciDev#verifyCachedOffsets()} must name exactly that
 * cached offset, and a guest probed afresh on the new layout must find the capability where it
 * went.
 */
class CorpusMigrationTest {

    private static final Set<Finding.Kind> UNMOVABLE = EnumSet.of(Finding.Kind.LOOP, Finding.Kind.OVERLAP,
            Finding.Kind.POINTER_INTO_HEADER, Finding.Kind.CHAIN_BROKEN, Finding.Kind.TRUNCATED_IMAGE,
            Finding.Kind.EXTENDS_PAST_END, Finding.Kind.POINTER_OUT_OF_RANGE);

    @Test
    void verifyReportsExactlyTheMovedCapabilities() {
        List<String> failures = new ArrayList<>();
        int devices = 0;
        int moves = 0;
        int noRoom = 0;
        for (DeviceImage d : CorpusDevices.all()) {
            if (!CorpusDevices.answers(d)) {
                continue;
            }
            devices++;
            ConfigSpace original = d.config();
            InMemoryConfigPort port = new InMemoryConfigPort(original.copy());
            GuestPciDev guest = GuestPciDev.probe(port);
            List<OffsetProblem> clean = guest.verifyCachedOffsets();
            if (!clean.isEmpty()) {
                failures.add(d.origin() + ": problems right after probe: " + clean);
                continue;
            }
            ConfigSpace probed = port.config().copy(); // as probe left it (MSI-X/ACS writes)
            CapabilityChain chain = CapabilityChain.walk(probed);
            for (CachedOffset cached : guest.cachedOffsets()) {
                CapabilitySpace space = cached.field().space();
                if (chain.findings().stream().anyMatch(f -> f.space() == space && UNMOVABLE.contains(f.kind()))) {
                    continue;
                }
                ConfigSpace moved = probed.copy();
                int target = move(moved, chain, space, cached.offset());
                if (target < 0) {
                    noRoom++;
                    continue;
                }
                moves++;
                port.swap(moved);
                List<OffsetProblem> problems = guest.verifyCachedOffsets();
                List<String> where = problems.stream().map(p -> p.field().kernelName() + "@" + Integer.toHexString(p.offset()))
                        .toList();
                String expected = cached.field().kernelName() + "@" + Integer.toHexString(cached.offset());
                if (!where.equals(List.of(expected))) {
                    failures.add(String.format("%s: moved %s to 0x%x, verify reported %s", d.origin(), cached, target, problems));
                }
                GuestPciDev fresh = GuestPciDev.probe(new InMemoryConfigPort(moved.copy()));
                boolean found = cached.field() == CachedField.DOE_MB ? fresh.doeMailboxes().contains(target)
                        : fresh.offset(cached.field()) == target;
                if (!found) {
                    failures.add(String.format("%s: moved %s to 0x%x, a fresh probe cached %s", d.origin(), cached, target,
                            fresh.cachedOffsets()));
                }
                port.swap(original.copy());
            }
        }
        System.out.printf("migration check: %d devices, %d single-capability moves, %d without a free spot%n", devices,
                moves, noRoom);
        assertThat(failures).isEmpty();
        assertThat(moves).as("moves made").isGreaterThan(800);
    }

    /**
     * Moves the capability at {@code offset} into the first dword-aligned gap that holds it,
     * relinks the list, clears its old bytes; returns the new offset, or -1 without room.
     */
    static int move(ConfigSpace cs, CapabilityChain chain, CapabilitySpace space, int offset) {
        List<Capability> list = chain.list(space);
        int index = -1;
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).offset() == offset) {
                index = i;
                break;
            }
        }
        if (index < 0) {
            return -1;
        }
        Capability cap = list.get(index);
        int length = cap.length() + 3 & ~3;
        int target = -1;
        for (ByteRange gap : OccupancyMap.of(cs, chain).gaps(space)) {
            int start = gap.start() + 3 & ~3;
            if (start + length <= gap.end()) {
                target = start;
                break;
            }
        }
        if (target < 0) {
            return -1;
        }
        cs.put(target, cs.slice(offset, length));
        cs.fill(offset, length, 0);
        if (space == CapabilitySpace.STANDARD) {
            int pointer = index == 0 ? Header.capabilityPointerOffset(cs) : list.get(index - 1).offset() + 1;
            cs.setU8(pointer, target);
        } else if (index == 0) {
            cs.setU32(offset, ExtendedCapability.header(0, 0, target)); // the list must start at 0x100
        } else {
            Capability previous = list.get(index - 1);
            int header = cs.u32(previous.offset());
            cs.setU32(previous.offset(), ExtendedCapability.header(ExtendedCapability.headerId(header),
                    ExtendedCapability.headerVersion(header), target));
        }
        return target;
    }
}
