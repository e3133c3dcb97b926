package dev.vcap.pci.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.PciAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes the binary path of {@link Dumps}: a file of exactly 64, 256 or 4096 bytes that does not
 * start like lspci text always yields exactly one device, holding those bytes, at the address its
 * sysfs-style path names; one that does start like text goes to the text reader and yields devices
 * or a {@link DumpFormatException}. {@link Dumps#binaryImage} refuses every other size with a
 * {@link DumpFormatException}. The fuzz input is the image, padded with zeros to the next image
 * size (64, 256, 4096) or cut to 4096 bytes.
 *
 * <p>Regression inputs: {@code src/test/resources/dev/vcap/pci/dump/DumpsFuzzTestInputs/binaryImage/}.
 */
class DumpsFuzzTest {

    static final int[] SIZES = {ConfigSpace.HEADER_SIZE, ConfigSpace.CONVENTIONAL_SIZE, ConfigSpace.EXTENDED_SIZE};
    static final PciAddress ADDRESS = new PciAddress(0, 0x0a, 0x1f, 3);
    static final Path DIR;
    static final Path FILE;

    static {
        try {
            DIR = Files.createTempDirectory("vcap-dumps-fuzz");
            FILE = Files.createDirectories(DIR.resolve("0000:0a:1f.3")).resolve("config");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void removeTemporaryFiles() throws IOException {
        Files.deleteIfExists(FILE);
        Files.deleteIfExists(FILE.getParent());
        Files.deleteIfExists(DIR);
    }

    @FuzzTest(maxDuration = "30s")
    void binaryImage(byte[] data) throws IOException {
        int size = Arrays.stream(SIZES).filter(n -> n >= data.length).findFirst().orElse(ConfigSpace.EXTENDED_SIZE);
        byte[] image = Arrays.copyOf(data, size);
        Files.write(FILE, image);
        List<DeviceImage> devices;
        try {
            devices = Dumps.readAll(FILE);
        } catch (DumpFormatException e) {
            assertThat(Dumps.looksLikeText(image)).as("only text can be malformed: %s", e.getMessage()).isTrue();
            assertThat(e.source()).isEqualTo(FILE.toString());
            return;
        }
        if (!Dumps.looksLikeText(image)) {
            assertThat(devices).hasSize(1);
            DeviceImage d = devices.get(0);
            assertThat(d.config()).isEqualTo(ConfigSpace.wrap(image));
            assertThat(d.address()).isEqualTo(ADDRESS);
        }
        for (DeviceImage d : devices) {
            assertThat(ConfigSpace.isValidLength(d.config().length())).isTrue();
            CapabilityChain.walk(d.config());
        }
        // the same bytes at any other length are not a binary image
        byte[] other = Arrays.copyOf(data, Math.min(data.length, ConfigSpace.EXTENDED_SIZE + 16));
        if (Dumps.isImageSize(other.length)) {
            assertThat(Dumps.binaryImage(other, "x", ADDRESS).config().length()).isEqualTo(other.length);
        } else {
            assertThatThrownBy(() -> Dumps.binaryImage(other, "x", ADDRESS)).isInstanceOf(DumpFormatException.class);
        }
    }
}
