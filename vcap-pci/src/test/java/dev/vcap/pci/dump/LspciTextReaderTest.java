package dev.vcap.pci.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.PciAddress;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lspci text reader: what it accepts, and one test per way input can be wrong. */
class LspciTextReaderTest {

    /** n hex lines of a device whose byte at offset i is (i & 0xff), starting at offset 0. */
    static String hex(int bytes) {
        StringBuilder sb = new StringBuilder();
        for (int off = 0; off < bytes; off += 16) {
            sb.append(String.format(off < 0x100 ? "%02x:" : "%03x:", off));
            for (int i = 0; i < 16; i++) {
                sb.append(String.format(" %02x", (off + i) & 0xFF));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static List<DeviceImage> read(String text) {
        return read(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    static List<DeviceImage> read(byte[] bytes) {
        List<DeviceImage> out = new ArrayList<>();
        try (LspciTextReader r = new LspciTextReader(new ByteArrayInputStream(bytes), "t.lspci")) {
            r.forEachRemaining(out::add);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out;
    }

    static void assertError(String text, long line, String messagePart) {
        assertThatThrownBy(() -> read(text))
                .isInstanceOf(DumpFormatException.class)
                .hasMessageStartingWith("t.lspci" + (line > 0 ? ":" + line + ": " : ": "))
                .hasMessageContaining(messagePart)
                .extracting(e -> ((DumpFormatException) e).line()).isEqualTo(line);
    }

    @Test
    void readsXxxAndXxxxDevicesWithBothAddressForms() {
        List<DeviceImage> devices = read("00:1f.2 SATA controller: Intel\n" + hex(256) + "\n"
                + "0001:02:03.4 Ethernet\n" + hex(4096) + "\n" + "10000:00:00.0 big domain\n" + hex(64));
        assertThat(devices).extracting(DeviceImage::address).containsExactly(new PciAddress(0, 0, 0x1f, 2),
                new PciAddress(1, 2, 3, 4), new PciAddress(0x10000, 0, 0, 0));
        assertThat(devices).extracting(d -> d.config().length()).containsExactly(256, 4096, 64);
        assertThat(devices.get(0).description()).isEqualTo("SATA controller: Intel");
        assertThat(devices.get(1).config().u8(0xABC)).isEqualTo(0xBC);
        assertThat(devices.get(1).origin()).isEqualTo("t.lspci:19");
    }

    @Test
    void crlfLineEndingsAreAccepted() {
        List<DeviceImage> devices = read(("00:00.0 Host bridge\n" + hex(64)).replace("\n", "\r\n"));
        assertThat(devices).hasSize(1);
        assertThat(devices.get(0).description()).isEqualTo("Host bridge");
        assertThat(devices.get(0).config().u8(63)).isEqualTo(63);
    }

    @Test
    void verboseTextBetweenHeaderAndHexIsSkipped() {
        String text = "00:02.0 VGA compatible controller: Intel\n\tSubsystem: Lenovo\n\tCapabilities: [40] Vendor\n"
                + "wrapped mail line\n" + hex(64) + "\n";
        assertThat(read(text)).singleElement().satisfies(d -> assertThat(d.config().u8(5)).isEqualTo(5));
    }

    @Test
    void aHeaderLineOfAnyLengthIsAccepted() {
        String longText = "x".repeat(3 << 20); // longer than the 1 MiB line buffer
        List<DeviceImage> devices = read("00:01.0 " + longText + "\n" + hex(64));
        assertThat(devices).singleElement().satisfies(d -> {
            assertThat(d.description()).startsWith("xxxx");
            assertThat(d.config().u8(0x3F)).isEqualTo(0x3F);
        });
    }

    @Test
    void aPartialDumpCutAtALineBoundaryIsKeptAsCaptured() {
        assertThat(read("00:01.0 partial\n" + hex(0x140))).singleElement()
                .satisfies(d -> assertThat(d.config().length()).isEqualTo(0x140));
    }

    @Test
    void malformedHexNamesTheLineAndColumn() {
        String text = "00:1f.2 IDE\n" + hex(16) + "10: 81 d0 00 00 01 d0 00 00 01 cc 00 00 81 c8 0pcilib: x\n";
        assertError(text, 3, "malformed hex line at offset 0x10, byte 14 (column 47)");
    }

    @Test
    void aLineWithTooFewBytesIsAnError() {
        assertError("00:00.0 x\n00: 01 02 03\n", 2, "expected 16 two-digit hex bytes");
    }

    @Test
    void aLineWithTooManyBytesIsAnError() {
        assertError("00:00.0 x\n" + hex(16).strip() + " ff\n", 2, "expected 16 two-digit hex bytes");
    }

    @Test
    void aMissingLineIsAnError() {
        String lines = hex(64);
        String withoutSecond = lines.substring(0, lines.indexOf("10:")) + lines.substring(lines.indexOf("20:"));
        assertError("00:00.0 x\n" + withoutSecond, 3, "expected the line at offset 0x10, found offset 0x20: a line is missing");
    }

    @Test
    void aRepeatedLineIsAnError() {
        String first = hex(16);
        assertError("00:00.0 x\n" + first + first, 3, "found offset 0x00: a line is repeated or out of order");
    }

    @Test
    void hexWithoutAHeaderLineIsAnError() {
        assertError(hex(64), 1, "hex line without a device header line before it");
    }

    @Test
    void aHeaderWithoutHexIsAnError() {
        assertError("00:00.0 Host bridge\n\n00:01.0 other\n" + hex(64), 1, "device 0000:00:00.0 has no hex dump");
    }

    @Test
    void fewerThanSixtyFourBytesIsAnError() {
        assertError("00:00.0 x\n" + hex(32), 1, "has 32 bytes of config space; expected at least the 64-byte header");
    }

    @Test
    void anOffsetBeyondFourKibibytesIsAnError() {
        assertError("00:00.0 x\n" + hex(4096) + "1000: " + "00 ".repeat(15) + "00\n", 258,
                "offset 0x1000 is beyond the 4096-byte config space");
    }

    @Test
    void aDuplicateAddressIsAnError() {
        assertError("00:00.0 a\n" + hex(64) + "\n0000:00:00.0 b\n" + hex(64), 7, "duplicate device address 0000:00:00.0");
    }

    @Test
    void textAfterTheHexOfADeviceIsAnError() {
        assertError("00:00.0 a\n" + hex(64) + "garbage\n", 6, "expected a hex line '40: ' with 16 bytes");
    }

    @Test
    void binaryGarbageIsAnError() {
        byte[] garbage = {'0', '0', ':', 0, 1, 2, (byte) 0xFF, '\n'};
        assertThatThrownBy(() -> read(garbage)).isInstanceOf(DumpFormatException.class)
                .hasMessage("t.lspci:1: binary data (a NUL byte) in what should be lspci text; expected lspci"
                        + " -x/-xxx/-xxxx output or a binary config image of exactly 64, 256 or 4096 bytes");
    }

    @Test
    void textWithoutAnyDeviceIsAnError() {
        assertError("hello\nworld\n", 0, "no device found; expected lspci -x/-xxx/-xxxx output");
        assertError("", 0, "no device found");
    }

    @Test
    void devicesStreamOneAtATime() {
        String text = "00:00.0 a\n" + hex(64) + "\n00:00.1 b\n" + hex(16).replace("00:", "00:") + "zz\n";
        try (LspciTextReader r = new LspciTextReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)),
                "t.lspci")) {
            assertThat(r.next().address().function()).isZero(); // the first device arrives before the bad one is read
            assertThatThrownBy(r::next).isInstanceOf(DumpFormatException.class);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void configBytesAreCopiedPerDevice() {
        List<DeviceImage> devices = read("00:00.0 a\n" + hex(64) + "\n00:00.1 b\n" + hex(64).replace(" 05 ", " ee "));
        assertThat(devices.get(0).config().u8(5)).isEqualTo(5);
        assertThat(devices.get(1).config().u8(5)).isEqualTo(0xEE);
        assertThat(devices.get(0).config()).isNotEqualTo(devices.get(1).config());
        assertThat(ConfigSpace.isValidLength(devices.get(0).config().length())).isTrue();
    }
}
