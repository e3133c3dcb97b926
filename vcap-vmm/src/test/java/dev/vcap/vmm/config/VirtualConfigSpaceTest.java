package dev.vcap.vmm.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vcap.host.InMemoryConfigRegion;
import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import dev.vcap.pci.config.Header;
import dev.vcap.vmm.synth.PasidSupport;
import dev.vcap.vmm.synth.Synthesizers;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Reads, writes, masks and what reaches the backing. */
class VirtualConfigSpaceTest {

    static ConfigSpace device() {
        return ConfigSpaceBuilder.endpoint(0x8086, 0x0b25)
                .with((c, at) -> c.setU16(Header.COMMAND, 0x0006))
                .standard(0x40, StandardCapability.PM)
                .standard(0x50, StandardCapability.MSI, (c, at) -> c.setU16(at + 2, 0x0080))
                .pcie(0x70, DeviceTraits.PCIE_ENDPOINT)
                .standard(0xB0, StandardCapability.VENDOR, (c, at) -> c.setU8(at + 2, 8))
                .with((c, at) -> c.setU32(0xC0, 0x12345678)) // a gap register
                .extended(0x100, ExtendedCapability.AER, 2)
                .extended(0x150, ExtendedCapability.ATS, 1, (c, at) -> c.setU16(at + 4, 0x0020))
                .extended(0x160, ExtendedCapability.DVSEC, 1, (c, at) -> c.setU32(at + 4, 0x0100_8086))
                .build();
    }

    final InMemoryConfigRegion backing = new InMemoryConfigRegion(device());
    final VirtualConfigSpace vcs = VirtualConfigSpace.over(backing);

    @Test
    void theGuestSeesTheHostsBytesAndChain() {
        assertThat(vcs.guestImage()).isEqualTo(backing.snapshot());
        assertThat(vcs.layout().standard()).extracting(VirtualCapability::offset).containsExactly(0x40, 0x50, 0x70, 0xB0);
        assertThat(vcs.layout().extended()).extracting(VirtualCapability::offset).containsExactly(0x100, 0x150, 0x160);
    }

    @Test
    void aPrefixOfTheGuestImageIsItsFirstBytes() {
        vcs.editor().hide(vcs.layout().find(StandardCapability.MSI).orElseThrow(), "test"); // the guest reads other pointers
        ConfigSpace whole = vcs.guestImage();
        for (int length : new int[] {ConfigSpace.LINE_SIZE, ConfigSpace.HEADER_SIZE, ConfigSpace.CONVENTIONAL_SIZE,
            ConfigSpace.EXTENDED_SIZE}) {
            assertThat(vcs.guestImage(length)).isEqualTo(ConfigSpace.copyOf(whole.slice(0, length)));
        }
        assertThatThrownBy(() -> vcs.guestImage(ConfigSpace.EXTENDED_SIZE + ConfigSpace.LINE_SIZE))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("the config space has 4096 bytes, not 4112");
    }

    @Test
    void readsMergeEmulatedAndPassThroughBits() {
        backing.write(Header.COMMAND, 2, 0x0407); // the device changes its own command bits
        assertThat(vcs.read(Header.COMMAND, 2)).isEqualTo(0x0407 & 0x0547);
        backing.write(Header.VENDOR_ID, 2, 0xFFFF); // emulated: the guest keeps seeing the shadow
        assertThat(vcs.read(Header.VENDOR_ID, 2)).isEqualTo(0x8086);
    }

    @Test
    void emulatedWritesFollowTheMaskFormulaAndNeverReachTheBacking() {
        long before = backing.writes();
        vcs.write(0x50 + 4, 4, 0xFEE0_1003); // MSI address: writable bits 31:2
        assertThat(vcs.read(0x54, 4)).isEqualTo(0xFEE0_1000);
        vcs.write(Header.VENDOR_ID, 4, 0); // read-only emulated
        assertThat(vcs.read(Header.VENDOR_ID, 2)).isEqualTo(0x8086);
        vcs.write(0x41, 1, 0x00); // a next pointer: the VMM owns it
        assertThat(vcs.read(0x41, 1)).isEqualTo(0x50);
        assertThat(backing.writes()).isEqualTo(before);
    }

    @Test
    void writeOneToClearClearsOnlyWhereOnesAreWritten() {
        VirtualCapability pri = vcs.editor().insert(0x200, Synthesizers.pri(32, false));
        vcs.write(pri.offset() + Synthesizers.PRI_STATUS, 2, 0); // nothing to clear
        // set the RW1C bits as the VMM would when a response fails
        var def = Synthesizers.pri(32, false);
        assertThat(def.w1cMask()[Synthesizers.PRI_STATUS]).isEqualTo((byte) 0x03);
        assertThat(vcs.masks(pri.offset() + Synthesizers.PRI_STATUS).w1c()).isEqualTo(0x03);
        assertThat(vcs.masks(pri.offset() + Synthesizers.PRI_STATUS + 1).w1c()).isZero();
    }

    @Test
    void passThroughWritesReachTheDeviceOnlyWherePolicySaysSo() {
        vcs.write(Header.COMMAND, 2, 0xFFFF);
        assertThat(backing.read(Header.COMMAND, 2)).isEqualTo(0x0547);
        vcs.write(0xC0, 4, 0xAABBCCDD); // gap: raw, as vfio allows
        assertThat(backing.read(0xC0, 4)).isEqualTo(0xAABBCCDD);
        vcs.write(0x16C, 4, 0x11111111); // DVSEC body: raw
        assertThat(backing.read(0x16C, 4)).isEqualTo(0x11111111);
        vcs.write(0x164, 4, 0x11111111); // DVSEC header 1 (vendor, revision, length): read-only
        assertThat(backing.read(0x164, 4)).isEqualTo(0x0100_8086);
        vcs.write(0xB2, 1, 0xFF); // the vendor capability's length byte: read-only
        assertThat(backing.read(0xB2, 1)).isEqualTo(8);
        long before = backing.writes();
        vcs.write(0x154, 4, 0xFFFFFFFF); // physical ATS: read-only pass-through, dropped
        assertThat(backing.writes()).isEqualTo(before);
        assertThat(vcs.read(0x156, 2)).isZero();
    }

    @Test
    void gapWritesCanBeDropped() {
        VirtualConfigSpace strict = VirtualConfigSpace.over(backing, WritePolicy.defaults().withGapWrites(Set.of()));
        long before = backing.writes();
        strict.write(0xC0, 4, 0);
        assertThat(backing.writes()).isEqualTo(before);
        assertThat(strict.read(0xC0, 4)).isEqualTo(0x12345678);
    }

    @Test
    void extendedGapWritesAreDroppedUnlessThePolicyForwardsThem() {
        VirtualConfigSpace vcs = VirtualConfigSpace.over(backing);
        long before = backing.writes();
        vcs.write(0x800, 4, 0x0000_0003); // could be the body of a capability vfio hid, PASID Control say
        assertThat(backing.writes()).isEqualTo(before);
        assertThat(backing.read(0x800, 4)).isZero();
        VirtualConfigSpace open = VirtualConfigSpace.over(backing, WritePolicy.defaults()
                .withGapWrites(Set.of(CapabilitySpace.STANDARD, CapabilitySpace.EXTENDED)));
        open.write(0x800, 4, 0x0000_0003);
        assertThat(backing.read(0x800, 4)).isEqualTo(3);
    }

    /** A device whose Status error bits are write-1-to-clear, as real ones are. */
    static final class W1cStatusDevice implements dev.vcap.host.ConfigRegion {
        final InMemoryConfigRegion bytes;

        W1cStatusDevice(ConfigSpace image) {
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
            if (offset == Header.STATUS && width == 2) {
                int old = bytes.read(offset, 2);
                value = (old & 0xF900 & ~value) | (value & ~0xF900);
            }
            bytes.write(offset, width, value);
        }
    }

    @Test
    void hardwareWriteOneToClearBitsAreNotClearedByAReadModifyWrite() {
        ConfigSpace image = device();
        image.setU16(Header.STATUS, image.u16(Header.STATUS) | 0x8100); // two errors latched on the device
        W1cStatusDevice dev = new W1cStatusDevice(image);
        VirtualConfigSpace v = VirtualConfigSpace.over(dev);
        v.write(Header.STATUS, 2, 0x0100); // the guest clears Master Data Parity Error only
        assertThat(dev.read(Header.STATUS, 2) & 0x8100).isEqualTo(0x8000);
        assertThat(v.read(Header.STATUS, 2) & 0x8100).isEqualTo(0x8000);
    }

    @Test
    void accessesAreSplitAtDwordAndCapabilityBoundaries() {
        VirtualCapability pasid = vcs.editor().insert(0x200, Synthesizers.pasid(new PasidSupport(20, true, true)));
        // an unaligned dword read across the gap/PASID boundary
        int value = vcs.read(0x1FE, 4);
        assertThat(value).isEqualTo(vcs.read(0x1FE, 2) | vcs.read(0x200, 2) << 16);
        VirtualConfigSpace open = VirtualConfigSpace.over(backing, WritePolicy.defaults()
                .withGapWrites(Set.of(CapabilitySpace.STANDARD, CapabilitySpace.EXTENDED)));
        open.editor().insert(0x200, Synthesizers.pasid(new PasidSupport(20, true, true)));
        long before = backing.writes();
        open.write(0x1FE, 4, 0xFFFF_0000); // low half to the gap (forwarded), high half to PASID's header (emulated)
        assertThat(backing.writes()).isEqualTo(before + 1);
        assertThat(open.read(pasid.offset(), 4)).isEqualTo(ExtendedCapability.header(0x1B, 1, 0));
        assertThat(vcs.read(pasid.offset(), 4)).isEqualTo(ExtendedCapability.header(0x1B, 1, 0));
    }

    @Test
    void anAccessOutsideConfigSpaceIsAnError() {
        assertThatThrownBy(() -> vcs.read(0xFFE, 4)).isInstanceOf(ConfigAccessException.class)
                .hasMessage("4-byte config access at 0xffe is outside the 4096-byte config space");
        assertThatThrownBy(() -> vcs.write(-1, 1, 0)).isInstanceOf(ConfigAccessException.class);
        assertThatThrownBy(() -> vcs.read(0, 3)).isInstanceOf(ConfigAccessException.class)
                .hasMessage("config access width must be 1, 2 or 4, got 3");
    }

    @Test
    void capabilityHeadersAreCheckedOnMigrationAndGuestWritableBitsAreNot() {
        assertThat(vcs.masks(0x100).checked()).isEqualTo(0xFF);
        assertThat(vcs.masks(Header.INTERRUPT_LINE).checked()).isZero();
        assertThat(vcs.masks(0xC0).checked()).isZero(); // pass-through: the device's, not the contract's
    }
}
