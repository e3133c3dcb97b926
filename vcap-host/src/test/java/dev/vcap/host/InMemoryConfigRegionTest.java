package dev.vcap.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vcap.pci.config.ConfigSpace;
import org.junit.jupiter.api.Test;

class InMemoryConfigRegionTest {

    private final InMemoryConfigRegion region = new InMemoryConfigRegion(ConfigSpace.allocate(256));

    @Test
    void writesLandLittleEndianAndAreCounted() {
        region.write(0x40, 4, 0x11223344);
        assertThat(region.read(0x40, 1)).isEqualTo(0x44);
        assertThat(region.read(0x42, 2)).isEqualTo(0x1122);
        assertThat(region.writes()).isEqualTo(1);
    }

    @Test
    void anAccessOutsideTheRegionIsAnError() {
        assertThatThrownBy(() -> region.read(0xFE, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("4-byte access at 0xfe is outside the 256-byte config region");
        assertThatThrownBy(() -> region.write(0, 3, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("access width must be 1, 2 or 4, got 3");
        assertThat(region.writes()).isZero();
    }
}
