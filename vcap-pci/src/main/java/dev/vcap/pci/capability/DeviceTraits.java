package dev.vcap.pci.capability;

import dev.vcap.pci.config.ConfigSpace;

/**
 * Facts about a function that some capability lengths depend on, read from the header and the PCI
 * Express capability before the extended list is walked.
 *
 * @param headerType   header layout (0 normal, 1 bridge, 2 CardBus)
 * @param pcieType     Device/Port Type from the PCI Express Capabilities register, or -1 without
 *                     a PCI Express capability
 * @param maxLinkWidth Maximum Link Width from the Link Capabilities register (lanes), 0 if unknown
 */
public record DeviceTraits(int headerType, int pcieType, int maxLinkWidth) {

    /** Device/Port Type values (PCI Express Capabilities register bits 7:4). */
    public static final int PCIE_ENDPOINT = 0x0;
    public static final int PCIE_LEGACY_ENDPOINT = 0x1;
    public static final int PCIE_ROOT_PORT = 0x4;
    public static final int PCIE_UPSTREAM_PORT = 0x5;
    public static final int PCIE_DOWNSTREAM_PORT = 0x6;
    public static final int PCIE_PCIE_TO_PCI_BRIDGE = 0x7;
    public static final int PCIE_PCI_TO_PCIE_BRIDGE = 0x8;
    public static final int PCIE_RC_INTEGRATED_ENDPOINT = 0x9;
    public static final int PCIE_RC_EVENT_COLLECTOR = 0xA;

    /** Largest link width the spec defines; used when a length depends on an unknown width. */
    public static final int MAX_LINK_WIDTH = 32;

    public static DeviceTraits unknown(int headerType) {
        return new DeviceTraits(headerType, -1, 0);
    }

    /** Reads the traits from a PCI Express capability at {@code pcieOffset}. */
    public static DeviceTraits fromPcie(ConfigSpace cs, int headerType, int pcieOffset) {
        int type = Registers.u16(cs, pcieOffset + 2) >>> 4 & 0xF;
        int width = Registers.u32(cs, pcieOffset + 0x0C) >>> 4 & 0x3F;
        return new DeviceTraits(headerType, type, width);
    }

    public boolean isRootPortOrCollector() {
        return pcieType == PCIE_ROOT_PORT || pcieType == PCIE_RC_EVENT_COLLECTOR;
    }

    /** The link width to size per-lane registers with: the reported one, else the spec maximum. */
    public int laneCount() {
        return maxLinkWidth > 0 ? maxLinkWidth : MAX_LINK_WIDTH;
    }
}
