package dev.vcap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.vcap.pci.testing.Corpus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {

    @TempDir
    Path tmp;

    private static Path dsa() {
        return Corpus.require().resolve("dumps/pciutils_pri-pasid__6a-01.0__8086-0b25.lspci");
    }

    @Test
    void textReportListsCapabilitiesGapsAndSuspects() {
        CliRun run = CliRun.of("inspect", dsa().toString());
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("0000:6a:01.0").contains("[8086:0b25]")
                .contains("extended  0x230   0x001b  v1   8       Process Address Space ID (PASID)")
                .contains("gaps: 0x07c-0x07f (4)")
                .contains("non-zero bytes in gaps: 0x500-0x503 (4)");
    }

    /** lspci -nn already names the IDs in the description: the title shows them once. */
    @Test
    void lspciNnInputShowsTheIdsOnce() throws Exception {
        Path nn = tmp.resolve("nn.lspci");
        Files.writeString(nn, "00:1c.0 PCI bridge [0604]: Intel Corporation 82801I (ICH9 Family) PCI Express Port 1"
                + " [8086:2940] (rev 03)\n" + Files.readString(dsa()).lines().skip(1)
                .map(l -> l.startsWith("00: ") ? "00: 86 80 40 29" + l.substring(15) : l)
                .reduce("", (a, b) -> a + b + "\n"));
        for (String command : List.of("inspect", "plan")) {
            CliRun run = command.equals("inspect") ? CliRun.of("inspect", nn.toString())
                    : CliRun.of("plan", nn.toString(), "--pasid");
            String title = run.out().lines().findFirst().orElseThrow();
            assertThat(title).as(command).startsWith("0000:00:1c.0 PCI bridge [0604]: Intel Corporation")
                    .containsOnlyOnce("[8086:2940]");
        }
        CliRun other = CliRun.of("inspect", dsa().toString());
        assertThat(other.out().lines().findFirst().orElseThrow()).containsOnlyOnce("[8086:0b25]");
    }

    @Test
    void jsonHasTheDocumentedKeys() throws Exception {
        CliRun run = CliRun.of("inspect", "--json", dsa().toString());
        assertThat(run.exitCode()).isZero();
        List<String> keys = new ArrayList<>();
        try (JsonParser p = new JsonFactory().createParser(run.out())) {
            while (p.nextToken() != null) {
                if (p.currentToken() == JsonToken.FIELD_NAME) {
                    keys.add(p.currentName());
                }
            }
        }
        assertThat(keys).contains("devices", "address", "vendorId", "deviceId", "capabilities", "space", "offset", "id",
                "version", "name", "length", "findings", "gaps", "start", "end", "errors");
        assertThat(run.out()).contains("\"address\":\"0000:6a:01.0\"").contains("\"vendorId\":32902")
                .contains("{\"space\":\"extended\",\"offset\":560,\"id\":27,\"version\":1,"
                        + "\"name\":\"Process Address Space ID (PASID)\",\"length\":8")
                .contains("{\"space\":\"standard\",\"offset\":64,\"id\":16,\"version\":2,\"name\":\"Express\"");
    }

    @Test
    void mapDrawsFourKibibytes() {
        CliRun run = CliRun.of("inspect", "--map", dsa().toString());
        assertThat(run.out()).contains("  000  ################################################################")
                .contains("legend: # header").contains("0x230-0x237 Process Address Space ID (PASID)");
        assertThat(run.out().lines().filter(l -> l.matches("\\s+[0-9a-f]{3}  .*"))).hasSize(64);
    }

    @Test
    void aBadFileIsReportedOnStderrWithExitCode3AndTheOthersStillPrint() throws Exception {
        Path bad = Files.writeString(tmp.resolve("bad.lspci"), "00:00.0 x\n00: zz\n");
        CliRun run = CliRun.of("inspect", "--json", bad.toString(), dsa().toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).startsWith("vcap: " + bad + ":2: malformed hex line at offset 0x00");
        assertThat(run.out()).contains("\"address\":\"0000:6a:01.0\"").contains("\"errors\":[{\"source\":\"" + bad);
    }

    @Test
    void aMissingFileIsBadInput() {
        CliRun run = CliRun.of("inspect", tmp.resolve("missing.lspci").toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).isEqualTo("vcap: " + tmp.resolve("missing.lspci") + ": no such file or directory\n");
        assertThat(run.err()).doesNotContain("Exception");
    }

    @Test
    void usageErrorsExitWith2() {
        CliRun none = CliRun.of("inspect");
        assertThat(none.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(none.err()).contains("give FILE arguments or --sysfs [BDF]").contains("Try 'vcap inspect --help'");
        assertThat(CliRun.of("inspect", "--frobnicate", "x").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(CliRun.of("inspect", "--sysfs", "nonsense").err()).contains("expected a PCI address");
    }

    @Test
    void helpTeaches() {
        CliRun top = CliRun.of("--help");
        assertThat(top.exitCode()).isZero();
        assertThat(top.out()).contains("inspect").contains("Exit codes");
        CliRun inspect = CliRun.of("inspect", "--help");
        assertThat(inspect.out()).contains("--sysfs").contains("--json").contains("--map").contains("Examples:");
    }

    @Test
    void sysfsReadsAFakeTree() throws Exception {
        Path dev = Files.createDirectories(tmp.resolve("0000:00:04.0"));
        byte[] config = new byte[256];
        config[0] = (byte) 0xf4;
        config[1] = 0x1a;
        Files.write(dev.resolve("config"), config);
        CliRun run = CliRun.of("inspect", "--sysfs", "0000:00:04.0", "--sysfs-root", tmp.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("0000:00:04.0").contains("[1af4:0000]");
    }

    @Test
    void aDirectoryStandsForTheDumpsBelowIt() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("dumps"));
        Files.copy(dsa(), dir.resolve("a.lspci"));
        Files.writeString(dir.resolve("notes.md"), "not a dump");
        Files.writeString(dir.resolve("a.vvv.txt"), "lspci -vvv text");
        CliRun run = CliRun.of("inspect", dir.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("0000:6a:01.0");
    }

    @Test
    void decodePrintsRegisterFieldsByName() {
        CliRun text = CliRun.of("inspect", "--decode", dsa().toString());
        assertThat(text.exitCode()).isZero();
        assertThat(text.out()).contains("Process Address Space ID (PASID) @0x230:").contains("Max PASID Width");
        CliRun json = CliRun.of("inspect", "--json", "--decode", dsa().toString());
        assertThat(json.out()).contains("\"header\":{\"fields\":[").contains("\"field\":\"Max PASID Width\"");
    }
}
