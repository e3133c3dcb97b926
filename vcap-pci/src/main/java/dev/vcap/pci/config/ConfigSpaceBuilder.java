package dev.vcap.pci.config;

import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.capability.StandardCapability;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds config-space images for tests, simulated hosts and examples: a header, then capabilities
 * linked in the order they are added (so backward pointers are as easy as forward ones).
 *
 * <pre>{@code
 * ConfigSpace cs = ConfigSpaceBuilder.endpoint(0x8086, 0x0b25)
 *         .pcie(0x40, DeviceTraits.PCIE_ENDPOINT)
 *         .extended(0x100, ExtendedCapability.AER, 2)
 *         .extended(0x200, ExtendedCapability.PASID, 1, (cs, at) -> cs.setU16(at + 4, 0x1406))
 *         .build();
 * }</pre>
 */
public final class ConfigSpaceBuilder {

    /** Fills a capability's registers after its header is written. */
    @FunctionalInterface
    public interface Registers {
        void write(ConfigSpace cs, int offset);
    }

    private record Entry(boolean extended, int offset, int id, int version, Registers registers) {
    }

    private final ConfigSpace cs;
    private final List<Entry> entries = new ArrayList<>();

    private ConfigSpaceBuilder(int length, int headerType, int vendor, int device) {
        cs = ConfigSpace.allocate(length);
        cs.setU16(Header.VENDOR_ID, vendor);
        cs.setU16(Header.DEVICE_ID, device);
        cs.setU8(Header.HEADER_TYPE, headerType);
    }

    /** A 4 KiB type 0 function. */
    public static ConfigSpaceBuilder endpoint(int vendor, int device) {
        return new ConfigSpaceBuilder(ConfigSpace.EXTENDED_SIZE, Header.TYPE_NORMAL, vendor, device);
    }

    /** A 4 KiB type 1 (bridge) function. */
    public static ConfigSpaceBuilder bridge(int vendor, int device) {
        return new ConfigSpaceBuilder(ConfigSpace.EXTENDED_SIZE, Header.TYPE_BRIDGE, vendor, device);
    }

    /** A conventional (256-byte) type 0 function. */
    public static ConfigSpaceBuilder conventional(int vendor, int device) {
        return new ConfigSpaceBuilder(ConfigSpace.CONVENTIONAL_SIZE, Header.TYPE_NORMAL, vendor, device);
    }

    public ConfigSpaceBuilder classCode(int classCode) {
        cs.setU8(Header.PROG_IF, classCode);
        cs.setU8(Header.SUBCLASS, classCode >>> 8);
        cs.setU8(Header.BASE_CLASS, classCode >>> 16);
        return this;
    }

    public ConfigSpaceBuilder revision(int revision) {
        cs.setU8(Header.REVISION_ID, revision);
        return this;
    }

    public ConfigSpaceBuilder subsystem(int vendor, int device) {
        cs.setU16(Header.SUBSYSTEM_VENDOR_ID, vendor);
        cs.setU16(Header.SUBSYSTEM_ID, device);
        return this;
    }

    /** Sets any header or body bytes directly. */
    public ConfigSpaceBuilder with(Registers registers) {
        registers.write(cs, 0);
        return this;
    }

    public ConfigSpaceBuilder standard(int offset, StandardCapability kind) {
        return standard(offset, kind.id(), (c, at) -> { });
    }

    public ConfigSpaceBuilder standard(int offset, StandardCapability kind, Registers registers) {
        return standard(offset, kind.id(), registers);
    }

    /** A standard capability of any ID (unknown ones included). */
    public ConfigSpaceBuilder standard(int offset, int id, Registers registers) {
        entries.add(new Entry(false, offset, id, 0, registers));
        return this;
    }

    /** A PCI Express capability, version 2, of the given Device/Port Type, x16 link. */
    public ConfigSpaceBuilder pcie(int offset, int portType) {
        return standard(offset, StandardCapability.PCI_EXPRESS, (c, at) -> {
            c.setU16(at + 2, portType << 4 | 2);
            c.setU32(at + 0x0C, 16 << 4 | 4);
        });
    }

    public ConfigSpaceBuilder extended(int offset, ExtendedCapability kind, int version) {
        return extended(offset, kind.id(), version, (c, at) -> { });
    }

    public ConfigSpaceBuilder extended(int offset, ExtendedCapability kind, int version, Registers registers) {
        return extended(offset, kind.id(), version, registers);
    }

    /** An extended capability of any ID (unknown ones included). */
    public ConfigSpaceBuilder extended(int offset, int id, int version, Registers registers) {
        entries.add(new Entry(true, offset, id, version, registers));
        return this;
    }

    /** Writes headers, links both lists in the order added, and returns the image. */
    public ConfigSpace build() {
        List<Entry> standard = entries.stream().filter(e -> !e.extended()).toList();
        List<Entry> extended = entries.stream().filter(Entry::extended).toList();
        if (!standard.isEmpty()) {
            cs.setU16(Header.STATUS, cs.u16(Header.STATUS) | Header.STATUS_CAPABILITY_LIST);
            cs.setU8(Header.capabilityPointerOffset(cs), standard.get(0).offset());
        }
        for (int i = 0; i < standard.size(); i++) {
            Entry e = standard.get(i);
            cs.setU8(e.offset(), e.id());
            cs.setU8(e.offset() + 1, i + 1 < standard.size() ? standard.get(i + 1).offset() : 0);
            e.registers().write(cs, e.offset());
        }
        for (int i = 0; i < extended.size(); i++) {
            Entry e = extended.get(i);
            int next = i + 1 < extended.size() ? extended.get(i + 1).offset() : 0;
            cs.setU32(e.offset(), ExtendedCapability.header(e.id(), e.version(), next));
            e.registers().write(cs, e.offset());
        }
        return cs.copy();
    }
}
