package dev.vcap.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vcap.pci.config.ConfigSpace;
import org.junit.jupiter.api.Test;

class PortTest {

    @Test
    void inMemoryPortReadsLittleEndianInEveryWidth() {
        ConfigSpace cs = ConfigSpace.allocate(256);
        cs.setU32(0x40, 0x1234_5678);
        ConfigPort port = new InMemoryConfigPort(cs);
        assertThat(port.read(0x40, 4)).isEqualTo(0x1234_5678);
        assertThat(port.read(0x40, 2)).isEqualTo(0x5678);
        assertThat(port.read(0x42, 2)).isEqualTo(0x1234);
        assertThat(port.read(0x43, 1)).isEqualTo(0x12);
    }

    @Test
    void inMemoryPortWritesOnlyTheLowBytesOfTheWidth() {
        ConfigSpace cs = ConfigSpace.allocate(256);
        ConfigPort port = new InMemoryConfigPort(cs);
        port.write(0x44, 2, 0xABCD_1234);
        port.write(0x47, 1, 0x1FF);
        assertThat(cs.u32(0x44)).isEqualTo(0xFF00_1234);
    }

    @Test
    void readsPastTheImageAnswerAllOnesAndWritesThereAreDropped() {
        ConfigSpace cs = ConfigSpace.allocate(256);
        InMemoryConfigPort port = new InMemoryConfigPort(cs);
        assertThat(port.read(0x100, 4)).isEqualTo(-1);
        assertThat(port.read(0xFFE, 2)).isEqualTo(0xFFFF);
        port.write(0x100, 4, 0);
        assertThat(port.read(0x100, 4)).isEqualTo(-1);
        assertThat(port.config().length()).isEqualTo(256);
    }

    @Test
    void badAccessesAreRefused() {
        ConfigPort port = new InMemoryConfigPort(ConfigSpace.allocate(4096));
        assertThatThrownBy(() -> port.read(0x40, 3)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("width");
        assertThatThrownBy(() -> port.read(0x41, 2)).hasMessageContaining("aligned");
        assertThatThrownBy(() -> port.read(0xFFE, 4)).hasMessageContaining("outside");
        assertThatThrownBy(() -> port.write(-4, 4, 0)).hasMessageContaining("outside");
        assertThatThrownBy(() -> port.read(0x1000, 1)).hasMessageContaining("outside");
    }

    @Test
    void swapChangesTheDeviceUnderThePort() {
        ConfigSpace a = ConfigSpace.allocate(256);
        ConfigSpace b = ConfigSpace.allocate(256);
        b.setU16(0, 0x8086);
        InMemoryConfigPort port = new InMemoryConfigPort(a);
        assertThat(port.read(0, 2)).isZero();
        port.swap(b);
        assertThat(port.read(0, 2)).isEqualTo(0x8086);
        assertThat(port.config()).isSameAs(b);
    }

    @Test
    void recordingPortRecordsEveryAccessInOrderAndPassesItOn() {
        ConfigSpace cs = ConfigSpace.allocate(256);
        RecordingConfigPort port = new RecordingConfigPort(new InMemoryConfigPort(cs));
        port.write(0x40, 2, 0x1_2345);
        int value = port.read(0x40, 4);
        assertThat(value).isEqualTo(0x2345);
        assertThat(cs.u16(0x40)).isEqualTo(0x2345);
        assertThat(port.accesses()).extracting(Object::toString).containsExactly("w16 0x040 = 0x2345", "r32 0x040 = 0x2345");
        assertThat(port.readCount()).isEqualTo(1);
        assertThat(port.writeCount()).isEqualTo(1);
        assertThat(port.writes()).hasSize(1);
        port.clear();
        assertThat(port.accesses()).isEmpty();
    }

    @Test
    void recordingPortRefusesBadAccessesBeforeTheInnerPortSeesThem() {
        RecordingConfigPort port = new RecordingConfigPort(new ConfigPort() {
            @Override
            public int read(int offset, int width) {
                throw new AssertionError("reached the inner port");
            }

            @Override
            public void write(int offset, int width, int value) {
                throw new AssertionError("reached the inner port");
            }
        });
        assertThatThrownBy(() -> port.read(0x42, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThat(port.accesses()).isEmpty();
    }

    @Test
    void errnoValuesAreTheKernels() {
        assertThat(Errno.OK.value()).isZero();
        assertThat(Errno.EBUSY.value()).isEqualTo(-16);
        assertThat(Errno.EINVAL.value()).isEqualTo(-22);
        assertThat(Errno.of(-22)).isEqualTo(Errno.EINVAL);
        assertThat(Errno.OK.isOk()).isTrue();
        assertThat(Errno.EBUSY.isOk()).isFalse();
        assertThatThrownBy(() -> Errno.of(-19)).isInstanceOf(IllegalArgumentException.class);
    }
}
