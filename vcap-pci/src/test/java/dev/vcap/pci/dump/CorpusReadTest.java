package dev.vcap.pci.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.testing.Corpus;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every corpus file reads, or fails with the documented error; every damaged dump fails where it is damaged. */
class CorpusReadTest {

    /** Files without a device header line: lspci -F ignores them, vcap says why it cannot read them. */
    private static final List<String> NO_HEADER = List.of(
            "mail-linux-scsi_99f80756ddc3__nohdr1__1077-1020.lspci",
            "mail-linux-wireless_de27f33fa6fc__nohdr1__8086-0892.lspci");

    @Test
    void everyDumpReads() throws Exception {
        int devices = 0;
        for (Path file : Corpus.dumps()) {
            String name = file.getFileName().toString();
            if (NO_HEADER.contains(name)) {
                assertThatThrownBy(() -> Dumps.readAll(file)).isInstanceOf(DumpFormatException.class)
                        .hasMessageContaining(":1: hex line without a device header line before it");
                continue;
            }
            List<DeviceImage> read = Dumps.readAll(file);
            assertThat(read).as(name).isNotEmpty();
            devices += read.size();
        }
        assertThat(devices).isGreaterThan(580);
    }

    @Test
    void binaryImagesReadAsOneDeviceEach() throws Exception {
        for (Path file : Corpus.dumps()) {
            if (file.toString().endsWith(".bin")) {
                assertThat(Dumps.readAll(file)).as(file.toString()).singleElement()
                        .satisfies(d -> assertThat(d.description()).startsWith("binary config image"));
            }
        }
    }

    @Test
    void eachDamagedDumpFailsAtTheDamagedLine() {
        Map<String, String> expected = Map.of(
                "gh-asus-p5g41t-m-lx__00-1f.2__8086-27c0.damaged.lspci", ":18: malformed hex line at offset 0x10, byte 14",
                "gh-huananzhi-x99-bd4__05-00.1__1002-ab28.damaged.lspci", "malformed hex line at offset 0xf10",
                "gh-samsung-np350v5c__01-00.0__1002-682f.damaged.lspci", "expected a hex line 'f20: '",
                "mail-linux-pci_4f93ae14dc1b__0000-00-00.0__17cb-010b.damaged.lspci", "malformed hex line at offset 0x130",
                "mail-linux-pci_e8f6384fa6fa__04-00.0__10de-11c4.damaged.lspci",
                "expected the line at offset 0x80, found offset 0x90: a line is missing");
        List<Path> damaged = Corpus.damaged();
        assertThat(damaged).hasSize(expected.size());
        for (Path file : damaged) {
            String part = expected.get(file.getFileName().toString());
            assertThatThrownBy(() -> Dumps.readAll(file)).as(file.toString()).isInstanceOf(DumpFormatException.class)
                    .hasMessageStartingWith(file.toString() + ":").hasMessageContaining(part);
        }
    }
}
