package dev.vcap.linux.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The encoding of include/uapi/asm-generic/ioctl.h. Expected values were printed by gcc from the
 * headers (linux/fs.h and the macros themselves) on x86-64.
 */
class IoctlTest {

    @Test
    void encodesAsTheMacrosDo() {
        assertThat(Ioctl.ior("FS_IOC_GETFLAGS", 'f', 1, 8).number()).isEqualTo(0x80086601L);
        assertThat(Ioctl.iow("FS_IOC_SETFLAGS", 'f', 2, 8).number()).isEqualTo(0x40086602L);
        assertThat(Ioctl.iowr("_IOWR('U', 3, int)", 'U', 3, 4).number()).isEqualTo(0xc0045503L);
        assertThat(Ioctl.io("_IO(';', 100)", ';', 100).number()).isEqualTo(0x3b64L);
    }

    @Test
    void decodesItsFields() {
        Ioctl i = Ioctl.iowr("x", 'U', 3, 4);
        assertThat(i.dir()).isEqualTo(Ioctl.READ | Ioctl.WRITE);
        assertThat(i.type()).isEqualTo('U');
        assertThat(i.nr()).isEqualTo(3);
        assertThat(i.size()).isEqualTo(4);
        assertThat(i).hasToString("x (0xc0045503)");
    }

    @Test
    void refusesFieldsThatDoNotFit() {
        assertThatThrownBy(() -> Ioctl.io("x", ';', 256)).hasMessageContaining("number 256 does not fit in 8 bits");
        assertThatThrownBy(() -> Ioctl.ior("x", ';', 1, 1 << 14)).hasMessageContaining("size");
    }
}
