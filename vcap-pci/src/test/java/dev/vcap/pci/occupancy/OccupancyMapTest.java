package dev.vcap.pci.occupancy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import org.junit.jupiter.api.Test;

class OccupancyMapTest {

    private final ConfigSpace cs = ConfigSpaceBuilder.endpoint(0x19a2, 0x0710)
            .pcie(0x40, DeviceTraits.PCIE_ENDPOINT)
            .with((c, at) -> c.setU32(0xA0, 0xCAFE0001)) // a register hidden in a conventional gap
            .extended(0x100, ExtendedCapability.AER, 2)
            .extended(0x140, ExtendedCapability.ATS, 1)
            .with((c, at) -> c.setU8(0xFF0, 0x5A))
            .build();
    private final OccupancyMap map = OccupancyMap.of(cs, CapabilityChain.walk(cs));

    @Test
    void everyByteHasItsOwner() {
        assertThat(map.ownerAt(0x00)).isInstanceOf(OccupancyMap.Owner.HeaderOwner.class);
        assertThat(map.ownerAt(0x3F)).isInstanceOf(OccupancyMap.Owner.HeaderOwner.class);
        assertThat(map.capabilityAt(0x40).id()).isEqualTo(0x10);
        assertThat(map.capabilityAt(0x7B).id()).isEqualTo(0x10);
        assertThat(map.ownerAt(0x7C)).isInstanceOf(OccupancyMap.Owner.Gap.class);
        assertThat(map.capabilityAt(0x12B).id()).isEqualTo(1);
        assertThat(map.isGap(0x12C)).isTrue();
        assertThat(map.capabilityAt(0x147).id()).isEqualTo(0x0F);
    }

    @Test
    void gapsPerSpaceWithExclusiveEnds() {
        assertThat(map.gaps(CapabilitySpace.STANDARD)).containsExactly(new ByteRange(0x7C, 0x100));
        assertThat(map.gaps(CapabilitySpace.EXTENDED)).containsExactly(new ByteRange(0x12C, 0x140),
                new ByteRange(0x148, 0x1000));
        assertThat(map.gapBytes()).isEqualTo(0x84 + 0x14 + 0xEB8);
        assertThat(map.isGap(new ByteRange(0xFF8, 0x1000))).isTrue();
        assertThat(map.isGap(new ByteRange(0x140, 0x148))).isFalse();
    }

    @Test
    void nonZeroGapBytesAreSuspects() {
        assertThat(map.nonZeroInGaps()).containsExactly(new ByteRange(0xA0, 0xA4), new ByteRange(0xFF0, 0xFF4));
    }

    @Test
    void extendedSpaceOfAConventionalDeviceIsOutside() {
        ConfigSpace plain = ConfigSpaceBuilder.endpoint(0x8086, 0x7000).build();
        OccupancyMap m = OccupancyMap.of(plain, CapabilityChain.walk(plain));
        assertThat(m.ownerAt(0x200)).isInstanceOf(OccupancyMap.Owner.Outside.class);
        assertThat(m.gaps()).containsExactly(new ByteRange(0x40, 0x100));
    }

    @Test
    void uncapturedBytesAreOutside() {
        ConfigSpace header = ConfigSpace.copyOf(cs.slice(0, 64));
        OccupancyMap m = OccupancyMap.of(header, CapabilityChain.walk(header));
        assertThat(m.gaps()).isEmpty();
        assertThat(m.ownerAt(0x80)).isInstanceOf(OccupancyMap.Owner.Outside.class);
    }

    @Test
    void anEmptyExtendedListLeavesAllOfExtendedSpaceFree() {
        ConfigSpace noExt = ConfigSpaceBuilder.endpoint(0x8086, 0x7001).pcie(0x40, DeviceTraits.PCIE_ENDPOINT).build();
        OccupancyMap m = OccupancyMap.of(noExt, CapabilityChain.walk(noExt));
        assertThat(m.gaps(CapabilitySpace.EXTENDED)).containsExactly(new ByteRange(0x100, 0x1000));
    }
}
