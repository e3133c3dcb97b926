package dev.vcap.pci.dump;

import dev.vcap.pci.config.PciAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * The set of addresses already seen in one file: one 8 KiB bitmap per PCI domain in use, so a
 * file of any number of devices needs memory only for the domains it names.
 */
final class AddressSet {

    private static final int BITS_PER_DOMAIN = 1 << 16; // bus, device, function
    private final Map<Integer, long[]> domains = new HashMap<>();

    /** Adds an address; false when it was already present. */
    boolean add(PciAddress a) {
        long[] bits = domains.computeIfAbsent(a.domain(), d -> new long[BITS_PER_DOMAIN / 64]);
        int index = a.bus() << 8 | a.device() << 3 | a.function();
        long mask = 1L << (index & 63);
        if ((bits[index >>> 6] & mask) != 0) {
            return false;
        }
        bits[index >>> 6] |= mask;
        return true;
    }
}
