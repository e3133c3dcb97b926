package dev.vcap.guest;

import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.Header;

/**
 * Linux's capability search, over a {@link ConfigPort} and with only config reads
 * ({@code drivers/pci/pci.c}: {@code pci_find_capability}, {@code pci_find_next_capability},
 * {@code pci_find_next_ext_capability}, {@code pci_find_ext_capability}; the loops themselves are
 * {@code PCI_FIND_NEXT_CAP} and {@code PCI_FIND_NEXT_EXT_CAP} in {@code drivers/pci/pci.h} since
 * 6.17, {@code __pci_find_next_cap_ttl} before). The rules, which differ from pciutils':
 *
 * <ul>
 *   <li>standard list: the start is 0x34 (0x14 on a CardBus bridge) when Status has Capabilities
 *       List, else there is none. The pointer is read as a byte; then at most {@link #CAP_TTL} (48)
 *       steps, each reading one word: a pointer below 0x40 ends the walk <em>before</em> its low
 *       bits are masked, ID 0xff ends it, a match returns the masked offset, else the next pointer
 *       is the word's high byte. Loops end when the TTL runs out; backward pointers are followed;</li>
 *   <li>extended list: nothing unless the function's config size is above 256 (Linux decides that
 *       once, at probe: {@link GuestPciDev#cfgSize()}). From 0x100 (or {@code start}) at most
 *       {@link #EXT_CAP_TTL} (480) dword reads: a header of 0 ends the walk, an ID match returns
 *       the offset unless it is {@code start}, else the next offset is bits 31:20 with the low two
 *       bits cleared, and a next offset below 0x100 ends the walk. A header of 0xffffffff is not
 *       special here (ID 0xffff, next 0xffc): the walk goes on at 0xffc until the TTL, so it finds
 *       nothing unless something answers there. A 0xffffffff at 0x100 is caught earlier: it makes
 *       the config size 256. A null header (ID 0, vfio's stub for a hidden first capability) is
 *       followed like any other.</li>
 * </ul>
 */
public final class CapabilityFinder {

    /** {@code PCI_FIND_CAP_TTL}: steps of a standard walk. */
    public static final int CAP_TTL = 48;
    /** {@code (PCI_CFG_SPACE_EXP_SIZE - PCI_CFG_SPACE_SIZE) / 8}: steps of an extended walk. */
    public static final int EXT_CAP_TTL = (ConfigSpace.EXTENDED_SIZE - ConfigSpace.CONVENTIONAL_SIZE) / 8;

    /** {@code PCI_STD_HEADER_SIZEOF}: standard pointers below this end the walk. */
    private static final int STD_HEADER_SIZE = 0x40;
    private static final int CAP_ID_INVALID = 0xFF;

    private CapabilityFinder() {
    }

    /**
     * {@code __pci_bus_find_cap_start}: where the first standard pointer is (0x34, or 0x14 on a
     * CardBus bridge), or 0 when Status has no Capabilities List or the header type is unknown.
     *
     * @param headerType header type bits 6:0, as probe cached them ({@code dev->hdr_type})
     */
    public static int capabilityStart(ConfigPort port, int headerType) {
        int status = port.read(Header.STATUS, 2) & 0xFFFF;
        if ((status & Header.STATUS_CAPABILITY_LIST) == 0) {
            return 0;
        }
        return switch (headerType) {
            case Header.TYPE_NORMAL, Header.TYPE_BRIDGE -> Header.CAPABILITIES_POINTER;
            case Header.TYPE_CARDBUS -> Header.CAPABILITIES_POINTER_CARDBUS;
            default -> 0;
        };
    }

    /** {@code pci_find_capability}: the first standard capability with ID {@code cap}, or 0. */
    public static int findCapability(ConfigPort port, int headerType, int cap) {
        int start = capabilityStart(port, headerType);
        return start == 0 ? 0 : findFromPointer(port, start, cap);
    }

    /**
     * {@code pci_find_next_capability}: the next standard capability with ID {@code cap} after the
     * one at {@code pos} (its next pointer is at {@code pos + 1}), or 0.
     */
    public static int findNextCapability(ConfigPort port, int pos, int cap) {
        return findFromPointer(port, (pos + 1) & 0xFF, cap); // u8 arithmetic, as in the kernel
    }

    /** The standard walk from the pointer byte at {@code pointerOffset}. */
    private static int findFromPointer(ConfigPort port, int pointerOffset, int cap) {
        int pos = port.read(pointerOffset, 1) & 0xFF;
        for (int ttl = CAP_TTL; ttl > 0; ttl--) {
            if (pos < STD_HEADER_SIZE) {
                break;
            }
            pos &= ~3;
            int entry = port.read(pos, 2) & 0xFFFF;
            int id = entry & 0xFF;
            if (id == CAP_ID_INVALID) {
                break;
            }
            if (id == cap) {
                return pos;
            }
            pos = entry >>> 8;
        }
        return 0;
    }

    /**
     * {@code pci_find_next_ext_capability}: the next extended capability with ID {@code cap} after
     * {@code start} (0: from the beginning of the list), or 0.
     *
     * @param cfgSize the function's config size as probe decided it ({@code dev->cfg_size})
     */
    public static int findNextExtCapability(ConfigPort port, int cfgSize, int start, int cap) {
        if (cfgSize <= ConfigSpace.CONVENTIONAL_SIZE) {
            return 0;
        }
        int pos = start != 0 ? start : ConfigSpace.CONVENTIONAL_SIZE;
        for (int ttl = EXT_CAP_TTL; ttl > 0 && pos >= ConfigSpace.CONVENTIONAL_SIZE; ttl--) {
            if ((pos & 3) != 0 || pos > ConfigSpace.EXTENDED_SIZE - 4) {
                break; // the kernel's accessor refuses this read (only a caller's start can be so)
            }
            int header = port.read(pos, 4);
            if (header == 0) {
                break;
            }
            if ((header & 0xFFFF) == cap && pos != start) {
                return pos;
            }
            pos = header >>> 20 & 0xFFC;
        }
        return 0;
    }

    /** {@code pci_find_ext_capability}: the first extended capability with ID {@code cap}, or 0. */
    public static int findExtCapability(ConfigPort port, int cfgSize, int cap) {
        return findNextExtCapability(port, cfgSize, 0, cap);
    }
}
