package dev.vcap.vmm.placement;

import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.Header;
import dev.vcap.vmm.config.VirtualConfigSpace;

/**
 * What identifies a device model for quirk and layout matching: vendor, device, subsystem,
 * revision and class, read from the header.
 */
public record DeviceIdentity(int vendor, int device, int subsystemVendor, int subsystem, int revision, int classCode) {

    public static DeviceIdentity of(ConfigSpace cs) {
        boolean type0 = Header.type(cs) == Header.TYPE_NORMAL;
        return new DeviceIdentity(cs.u16(Header.VENDOR_ID), cs.u16(Header.DEVICE_ID),
                type0 ? cs.u16(Header.SUBSYSTEM_VENDOR_ID) : 0, type0 ? cs.u16(Header.SUBSYSTEM_ID) : 0,
                cs.u8(Header.REVISION_ID), Header.classCode(cs));
    }

    /** The identity the guest reads: its view of the header, the only bytes read. */
    public static DeviceIdentity of(VirtualConfigSpace vcs) {
        return of(vcs.guestImage(ConfigSpace.HEADER_SIZE));
    }

    @Override
    public String toString() {
        return String.format("%04x:%04x (subsystem %04x:%04x, rev %02x, class %06x)", vendor, device, subsystemVendor,
                subsystem, revision, classCode);
    }
}
