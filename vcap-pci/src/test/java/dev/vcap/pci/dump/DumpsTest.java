package dev.vcap.pci.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.PciAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Format detection, binary images and the sysfs tree. */
class DumpsTest {

    @TempDir
    Path tmp;

    @Test
    void binaryImagesOfTheThreeSizesAreRead() throws Exception {
        for (int size : new int[] {64, 256, 4096}) {
            byte[] bytes = new byte[size];
            bytes[0] = (byte) 0x86;
            bytes[1] = (byte) 0x80;
            Path f = tmp.resolve("img" + size + ".bin");
            Files.write(f, bytes);
            List<DeviceImage> devices = Dumps.readAll(f);
            assertThat(devices).singleElement().satisfies(d -> {
                assertThat(d.config().length()).isEqualTo(size);
                assertThat(d.vendorId()).isEqualTo(0x8086);
            });
        }
    }

    @Test
    void aBinaryImageTakesItsAddressFromASysfsPath() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("0000:3b:00.1"));
        Files.write(dir.resolve("config"), new byte[256]);
        assertThat(Dumps.readAll(dir.resolve("config")).get(0).address()).isEqualTo(new PciAddress(0, 0x3b, 0, 1));
    }

    @Test
    void binaryOfAnotherSizeIsRejectedWithTheExpectedSizes() throws Exception {
        Path f = tmp.resolve("odd.bin");
        Files.write(f, new byte[] {(byte) 0x86, (byte) 0x80, 0, 0, 1});
        assertThatThrownBy(() -> Dumps.readAll(f)).isInstanceOf(DumpFormatException.class)
                .hasMessageContaining("binary data (a NUL byte)")
                .hasMessageContaining("binary config image of exactly 64, 256 or 4096 bytes");
    }

    @Test
    void aTextFileOfImageSizeIsStillText() throws Exception {
        String text = "00:00.0 x\n" + LspciTextReaderTest.hex(64);
        String padded = text + " ".repeat(256 - text.length() - 1) + "\n";
        Path f = tmp.resolve("exact.lspci");
        Files.writeString(f, padded, StandardCharsets.US_ASCII);
        assertThat(Files.size(f)).isEqualTo(256);
        assertThat(Dumps.readAll(f)).singleElement().satisfies(d -> assertThat(d.config().length()).isEqualTo(64));
    }

    @Test
    void missingFilesAndDirectoriesAreBadInput() {
        assertThatThrownBy(() -> Dumps.open(tmp.resolve("nope"))).isInstanceOf(DumpFormatException.class)
                .hasMessageEndingWith("nope: no such file");
        assertThatThrownBy(() -> Dumps.open(tmp)).isInstanceOf(DumpFormatException.class)
                .hasMessageContaining("is a directory");
    }

    @Test
    void sysfsTreesAreReadInAddressOrder() throws Exception {
        for (String a : new String[] {"0000:00:1f.2", "0000:00:02.0"}) {
            Path dir = Files.createDirectories(tmp.resolve(a));
            byte[] config = new byte[256];
            config[0] = (byte) 0x86;
            config[1] = (byte) 0x80;
            Files.write(dir.resolve("config"), config);
            Files.writeString(dir.resolve("class"), "0x030000\n");
        }
        Files.createDirectories(tmp.resolve("not-a-device"));
        List<DeviceImage> devices = new SysfsReader(tmp).readAll();
        assertThat(devices).extracting(d -> d.address().toString()).containsExactly("0000:00:02.0", "0000:00:1f.2");
        assertThat(devices.get(0).description()).isEqualTo("Class 030000: Device 8086:0000");
        assertThatThrownBy(() -> new SysfsReader(tmp).read(new PciAddress(0, 9, 0, 0)))
                .isInstanceOf(DumpFormatException.class).hasMessageContaining("(no such device)");
    }
}
