package dev.vcap.vmm.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import dev.vcap.pci.occupancy.ByteRange;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The experimental free-space DVSEC: built into a device, found and parsed back. */
class FreeSpaceDvsecTest {

    static ConfigSpace withDvsec(List<ByteRange> ranges, int vendor) {
        return ConfigSpaceBuilder.endpoint(0x1234, 0x0001).pcie(0x40, DeviceTraits.PCIE_ENDPOINT)
                .extended(0x100, ExtendedCapability.AER, 2)
                .extended(0x140, ExtendedCapability.DVSEC, 1, (c, at) -> {
                    FreeSpaceDvsec.write(c, at, ranges);
                    c.setU16(at + FreeSpaceDvsec.HEADER1, vendor);
                })
                .build();
    }

    @Test
    void rangesRoundTripAndTheLengthCoversThem() {
        List<ByteRange> ranges = List.of(ByteRange.ofLength(0x800, 0x100), ByteRange.ofLength(0xF00, 0x100));
        ConfigSpace cs = withDvsec(ranges, FreeSpaceDvsec.VENDOR_ID);
        CapabilityChain chain = CapabilityChain.walk(cs);
        assertThat(FreeSpaceDvsec.find(cs, chain)).contains(ranges);
        assertThat(chain.find(ExtendedCapability.DVSEC).orElseThrow().length()).isEqualTo(FreeSpaceDvsec.length(2));
        assertThat(chain.findings()).isEmpty();
    }

    @Test
    void anotherVendorsDvsecIsNotAHint() {
        ConfigSpace cs = withDvsec(List.of(ByteRange.ofLength(0x800, 0x100)), 0x1e98);
        assertThat(FreeSpaceDvsec.find(cs, CapabilityChain.walk(cs))).isEmpty();
    }

    @Test
    void malformedRangesAreSkipped() {
        ConfigSpace cs = withDvsec(List.of(ByteRange.ofLength(0x800, 0x100), ByteRange.ofLength(0xFF0, 0x20)),
                FreeSpaceDvsec.VENDOR_ID);
        cs.setU32(0x140 + FreeSpaceDvsec.RANGES + 4, 0x0020_0FF2); // unaligned and past the end
        assertThat(FreeSpaceDvsec.find(cs, CapabilityChain.walk(cs))).contains(List.of(ByteRange.ofLength(0x800, 0x100)));
    }
}
