package dev.vcap.vfiouser.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BarLayoutTest {

    @Test
    void defaultsAlignmentMsixAndExplicitSizes() {
        ConfigSpace cs = ConfigSpaceBuilder.endpoint(0x8086, 1).standard(0x70, StandardCapability.MSIX, (c, at) -> {
            c.setU16(at + 2, 63); // 64 vectors: a 1 KiB table
            c.setU32(at + 4, 0x4000 | 2); // table in BAR2 at 0x4000
            c.setU32(at + 8, 0x5000 | 2); // PBA in BAR2 at 0x5000
        }).build();
        cs.setU32(0x10, 0xfebf1800); // 32-bit memory, aligned to 2 KiB
        cs.setU32(0x18, 0xfe00000c); // 64-bit prefetchable
        cs.setU32(0x20, 0xe001); // I/O at 0xe000
        BarLayout bars = BarLayout.of(cs, Map.of(5, 1L << 20));
        assertThat(bars.bar(0).size()).as("the address's alignment").isEqualTo(2048);
        assertThat(bars.bar(2).size()).as("MSI-X table and PBA end at 0x5008").isEqualTo(0x8000);
        assertThat(bars.bar(2).is64()).isTrue();
        assertThat(bars.bar(3).present()).isFalse();
        assertThat(bars.bar(4).size()).isEqualTo(BarLayout.DEFAULT_IO);
        assertThat(bars.bar(4).io()).isTrue();
        assertThat(bars.bar(5).size()).isEqualTo(1L << 20);
        assertThat(bars.bar(1).present()).as("register reads 0").isFalse();
    }
}
