package dev.vcap.guest;

import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import dev.vcap.pci.config.Header;

/** Hand-made images for the guest tests. */
final class Images {

    static final int VENDOR = 0x8086;
    static final int DEVICE = 0x0B25;

    private Images() {
    }

    /** A 4 KiB type 0 function with a capability list but no capabilities yet. */
    static ConfigSpace blank() {
        ConfigSpace cs = ConfigSpace.allocate(ConfigSpace.EXTENDED_SIZE);
        cs.setU16(Header.VENDOR_ID, VENDOR);
        cs.setU16(Header.DEVICE_ID, DEVICE);
        cs.setU16(Header.STATUS, Header.STATUS_CAPABILITY_LIST);
        return cs;
    }

    /** Writes a standard capability header: ID and next pointer (raw, low bits as given). */
    static void std(ConfigSpace cs, int offset, int id, int next) {
        cs.setU8(offset, id);
        cs.setU8(offset + 1, next);
    }

    /** Writes an extended capability header, next offset raw (bits 31:20 as given). */
    static void ext(ConfigSpace cs, int offset, int id, int version, int next) {
        cs.setU32(offset, next << 20 | (version & 0xF) << 16 | id & 0xFFFF);
    }

    /**
     * An Intel DSA-like endpoint: PM, MSI-X, PCI Express (v2, endpoint, End-End TLP Prefix
     * supported) in standard space; AER, ACS, ATS, PRI (stopped, capacity 512), PASID (Exec, Priv,
     * width 20) in extended space.
     */
    static ConfigSpace dsaLike() {
        return ConfigSpaceBuilder.endpoint(VENDOR, DEVICE)
                .classCode(0x088000)
                .standard(0x40, dev.vcap.pci.capability.StandardCapability.PM, (c, at) -> c.setU16(at + 2, 0x0003))
                .standard(0x50, dev.vcap.pci.capability.StandardCapability.MSIX)
                .pcie(0x60, DeviceTraits.PCIE_ENDPOINT)
                .with((c, at) -> c.setU32(0x60 + 0x24, 1 << 21))
                .extended(0x100, ExtendedCapability.AER, 2)
                .extended(0x150, ExtendedCapability.ACS, 1, (c, at) -> c.setU16(at + 4, 0x1F))
                .extended(0x160, ExtendedCapability.ATS, 1, (c, at) -> c.setU16(at + 4, 0x0020))
                .extended(0x170, ExtendedCapability.PRI, 1, (c, at) -> {
                    c.setU16(at + 6, 0x0100);
                    c.setU32(at + 8, 512);
                })
                .extended(0x180, ExtendedCapability.PASID, 1, (c, at) -> c.setU16(at + 4, 0x1406))
                .build();
    }
}
