package dev.vcap.guest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.capability.Finding;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.DeviceImage;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Over the whole corpus, the guest's Linux-style find functions agree with
 * {@link CapabilityChain#walk} (pciutils' walk) wherever Linux and pciutils agree: the first
 * capability of each ID, and "absent" for IDs neither list holds. Where they disagree by design —
 * Linux stops at a standard pointer into the header, follows a 0xffffffff extended header,
 * decides extended space exists by its own rules — the IDs concerned are left out and counted.
 */
class CorpusAgreementTest {

    private int compared;
    private int excluded;
    private final List<String> mismatches = new ArrayList<>();

    @Test
    void linuxFindFunctionsAgreeWithTheChainWalkWhereLinuxAndPciutilsAgree() {
        int devices = 0;
        int extendedDevices = 0;
        for (DeviceImage d : CorpusDevices.all()) {
            if (!CorpusDevices.answers(d)) {
                continue;
            }
            devices++;
            ConfigSpace cs = d.config().copy();
            CapabilityChain chain = CapabilityChain.walk(cs);
            GuestPciDev dev = GuestPciDev.probe(new InMemoryConfigPort(cs.copy()));
            checkStandard(d, chain, dev);
            if (checkExtended(d, cs, chain, dev)) {
                extendedDevices++;
            }
            checkCachedOffsets(d, chain, dev);
        }
        System.out.printf("guest find vs chain walk: %d devices, %d with extended lists, %d lookups compared,"
                + " %d left out where Linux and pciutils disagree%n", devices, extendedDevices, compared, excluded);
        assertThat(mismatches).as("guest find vs chain walk").isEmpty();
        assertThat(devices).as("corpus devices probed").isGreaterThan(500);
        assertThat(extendedDevices).as("devices whose extended lists were compared").isGreaterThan(150);
        assertThat(compared).isGreaterThan(devices * 20);
        assertThat(excluded).as("lookups where Linux and pciutils disagree").isLessThan(compared / 50);
    }

    private void checkStandard(DeviceImage d, CapabilityChain chain, GuestPciDev dev) {
        // Linux stops before the first capability pciutils found inside the header
        List<Capability> prefix = new ArrayList<>();
        for (Capability c : chain.standard()) {
            if (c.offset() < CapabilityChain.FIRST_STANDARD_OFFSET) {
                break;
            }
            prefix.add(c);
        }
        Set<Integer> ids = new LinkedHashSet<>();
        for (StandardCapability k : StandardCapability.values()) {
            ids.add(k.id());
        }
        chain.standard().forEach(c -> ids.add(c.id()));
        for (int id : ids) {
            Integer expected = firstOffset(prefix, id);
            if (expected == null) {
                if (firstOffset(chain.standard(), id) != null) {
                    excluded++; // pciutils finds it past a pointer into the header; Linux stops there
                    continue;
                }
                expected = 0;
            }
            compare(d, "standard", id, expected, dev.findCapability(id));
        }
    }

    /** Compares the extended lists; true when both Linux and pciutils walk them. */
    private boolean checkExtended(DeviceImage d, ConfigSpace cs, CapabilityChain chain, GuestPciDev dev) {
        boolean pciutilsWalks = (chain.isPciExpress() || chain.has(StandardCapability.PCIX)) && cs.hasExtendedSpace();
        boolean linuxWalks = dev.cfgSize() == ConfigSpace.EXTENDED_SIZE;
        Set<Integer> ids = new LinkedHashSet<>();
        for (ExtendedCapability k : ExtendedCapability.values()) {
            ids.add(k.id());
        }
        chain.extended().forEach(c -> ids.add(c.id()));
        if (!linuxWalks) {
            // Linux sees no extended list at all; pciutils may still list one (aliased space, slow PCI-X)
            for (int id : ids) {
                compare(d, "extended (none for Linux)", id, 0, dev.findExtCapability(id));
            }
            excluded += chain.extended().size();
            return false;
        }
        if (!pciutilsWalks) {
            excluded += ids.size(); // a host bridge without PCI Express: Linux walks, pciutils does not
            return false;
        }
        // pciutils stops at an all-ones header (or the end of a short capture); Linux goes on
        boolean complete = chain.findings().stream().noneMatch(f -> f.space() == CapabilitySpace.EXTENDED
                && (f.kind() == Finding.Kind.CHAIN_BROKEN || f.kind() == Finding.Kind.TRUNCATED_IMAGE));
        for (int id : ids) {
            Integer expected = firstOffset(chain.extended(), id);
            if (expected == null) {
                if (!complete) {
                    excluded++;
                    continue;
                }
                expected = 0;
            }
            compare(d, "extended", id, expected, dev.findExtCapability(id));
        }
        return true;
    }

    /** The offsets probe cached are the chain's first of each ID, wherever the finds agreed. */
    private void checkCachedOffsets(DeviceImage d, CapabilityChain chain, GuestPciDev dev) {
        for (CachedField field : new CachedField[] {CachedField.PCIE_CAP, CachedField.MSI_CAP, CachedField.MSIX_CAP,
            CachedField.AER_CAP, CachedField.ACS_CAP, CachedField.ATS_CAP, CachedField.PRI_CAP, CachedField.PASID_CAP}) {
            int found = field.space() == CapabilitySpace.STANDARD ? dev.findCapability(field.capability().id())
                    : dev.findExtCapability(field.capability().id());
            compare(d, "cached " + field.kernelName(), field.capability().id(), found, dev.offset(field));
        }
    }

    private static Integer firstOffset(List<Capability> caps, int id) {
        for (Capability c : caps) {
            if (c.id() == id) {
                return c.offset();
            }
        }
        return null;
    }

    private void compare(DeviceImage d, String what, int id, int expected, int actual) {
        compared++;
        if (expected != actual) {
            mismatches.add(String.format("%s: %s ID 0x%x: walk 0x%x, guest 0x%x", d.origin(), what, id, expected, actual));
        }
    }
}
