package dev.vcap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vcap.pci.testing.Corpus;
import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vcap survey}: rows and totals, JSON, HTML, progress, exit codes, determinism, the corpus. */
class SurveyCommandTest {

    @TempDir
    Path tmp;

    Path dir;

    @BeforeEach
    void devices() throws Exception {
        dir = Files.createDirectories(tmp.resolve("dumps"));
        TestDevices.write(dir.resolve("a-clean.lspci"), TestDevices.clean().build());
        TestDevices.write(dir.resolve("b-tail-byte.lspci"), TestDevices.tailByte());
        TestDevices.write(dir.resolve("c-tail-cap.lspci"), TestDevices.tailCapability());
        TestDevices.write(dir.resolve("d-conventional.lspci"), TestDevices.conventional());
    }

    static CliRun survey(Object... args) {
        List<String> a = new ArrayList<>(List.of("survey", "--no-shipped-quirks"));
        for (Object o : args) {
            a.add(o.toString());
        }
        return CliRun.of(a.toArray(String[]::new));
    }

    @Test
    void rowsShowEachPolicyAndTotalsAnswerWhereVpasidGoes() {
        CliRun run = survey(dir);
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out().lines().filter(l -> l.startsWith("0000:01:00.0")).toList()).hasSize(3)
                .anySatisfy(l -> assertThat(l).contains("8086:0b25  -       -       0xff8   0xff8     0xff8 gap-search")
                        .contains("free").contains("same").endsWith("a-clean.lspci:1"))
                .anySatisfy(l -> assertThat(l).contains("-       -       0xef0   0xff8     0xef0 gap-search")
                        .contains("non-zero").contains("qemu-overlays-non-zero"))
                .anySatisfy(l -> assertThat(l).contains("0xff0   UNSAFE    0xff0 gap-search").contains("overlap")
                        .contains("qemu-overlaps-capability"));
        assertThat(run.out())
                .contains("files 4, devices 4, surveyed 3 (assignable PCI Express with 4 KiB config space), skipped 1")
                .contains("skipped    1  not a PCI Express function")
                .contains("0xff8 (QEMU's default) is free on 1 of 3 surveyed devices (33.3%)")
                .contains("    same                          1  33.3%")
                .contains("    qemu-overlays-non-zero        1  33.3%")
                .contains("    qemu-overlaps-capability      1  33.3%")
                .containsPattern("  qemu-11.0 +2 +0 +1\n +1  pcie_insert_capability\\(\\) refuses QEMU's default vPASID"
                        + " offset 0xff8: 0xff8 is inside the header of extended Latency Tolerance")
                .containsPattern("  quirk-table +0 +3 +0\n +3  no quirk entry matches the device\n");
    }

    /** vfio shows no extended capability: QEMU 11.0's vfio_add_ext_cap() returns before synthesizing vPASID. */
    @Test
    void aDeviceWithAnEmptyExtendedListGetsNoVpasidFromQemu() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        TestDevices.write(empty.resolve("e.lspci"), ConfigSpaceBuilder.endpoint(0x8086, 0x1e10)
                .pcie(0x40, DeviceTraits.PCIE_ENDPOINT).build());
        CliRun run = survey(empty);
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("-         0xff8 gap-search   free").contains("qemu-not-exposed")
                .contains("vfio_add_ext_cap() returns before synthesizing vPASID");
    }

    @Test
    void jsonHasRowsAndTotals() throws Exception {
        CliRun run = survey(dir, "--json");
        assertThat(run.exitCode()).isZero();
        JsonNode root = new ObjectMapper().readTree(run.out());
        List<String> top = new ArrayList<>();
        root.fieldNames().forEachRemaining(top::add);
        assertThat(top).containsExactly("devices", "totals", "errors");
        JsonNode clean = root.get("devices").get(0);
        assertThat(clean.get("policies").get("gap-search").get("offset").asInt()).isEqualTo(0xFF8);
        assertThat(clean.get("qemu").get("outcome").asText()).isEqualTo("placed");
        assertThat(clean.get("vcap").get("policy").asText()).isEqualTo("gap-search");
        assertThat(clean.get("tail").asText()).isEqualTo("free");
        assertThat(clean.get("comparison").asText()).isEqualTo("same");
        JsonNode tailByte = root.get("devices").get(1);
        assertThat(tailByte.get("tailDetail").asText()).isEqualTo("1 of the 8 bytes at 0xff8 read non-zero: 00 10 00 00 00"
                + " 00 00 00");
        assertThat(tailByte.get("nonZeroGaps").get(0).get("start").asInt()).isEqualTo(0xFF8);
        assertThat(root.get("devices").get(3).get("skipped").asText()).startsWith("not a PCI Express function");
        JsonNode t = root.get("totals");
        assertThat(t.get("surveyed").asInt()).isEqualTo(3);
        assertThat(t.get("tail").get("free").asInt()).isEqualTo(1);
        assertThat(t.get("comparison").get("qemu-overlaps-capability").asInt()).isEqualTo(1);
        assertThat(t.get("policies").get("qemu-11.0").get("refused").asInt()).isEqualTo(1);
        assertThat(t.get("vcapOffsets").get("0xf00").asInt()).isEqualTo(2);
        assertThat(t.get("vcapOffsets").get("0xe00").asInt()).as("256 bytes clear of 0xff9").isEqualTo(1);
    }

    @Test
    void htmlIsSelfContainedWithSvgCharts() throws Exception {
        Path html = tmp.resolve("survey.html");
        CliRun run = survey(dir, "--html", html);
        assertThat(run.exitCode()).isZero();
        String page = Files.readString(html);
        assertThat(page).startsWith("<!DOCTYPE html>").contains("<svg").contains("What each policy yields")
                .contains("Is 0xff8 free?").contains("QEMU 11.0&#39;s 0xff8 against vcap&#39;s choice")
                .contains("Where vcap&#39;s chain puts vPASID").contains("a-clean.lspci:1")
                .doesNotContain("<script").doesNotContain("<link").doesNotContain("src=");
        assertThat(page.replace("http://www.w3.org/2000/svg", "")).doesNotContain("http");
    }

    @Test
    void theProgressBarDrawsOnlyWhenAskedOrOnATerminal() {
        assertThat(survey(dir).err()).isEmpty();
        CliRun run = survey(dir, "--progress");
        assertThat(run.err()).contains("\rsurvey [").contains("] 4/4 files\n")
                .contains("[" + "#".repeat(Progress.WIDTH) + "]");
        assertThat(run.out()).doesNotContain("survey [");
    }

    @Test
    void twoRunsAreByteIdentical() throws Exception {
        for (String mode : List.of("--progress", "--json")) {
            assertThat(survey(dir, mode).out()).isEqualTo(survey(dir, mode).out());
        }
        Path one = tmp.resolve("one.html");
        Path two = tmp.resolve("two.html");
        survey(dir, "--html", one);
        survey(dir, "--html", two);
        assertThat(Files.readAllBytes(two)).isEqualTo(Files.readAllBytes(one));
    }

    @Test
    void badInputsAreNamedAndTheRestIsSurveyed() throws Exception {
        Files.writeString(dir.resolve("e-bad.lspci"), "00:00.0 x\n00: zz\n");
        CliRun run = survey(dir);
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).startsWith("vcap: " + dir.resolve("e-bad.lspci") + ":2: malformed hex line");
        assertThat(run.out()).contains("files 5, devices 4, surveyed 3");
        CliRun quirks = survey(dir, "--quirks", tmp.resolve("none.yaml"));
        assertThat(quirks.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(quirks.err()).isEqualTo("vcap: " + tmp.resolve("none.yaml") + ": no such file\n");
        CliRun missing = survey(tmp.resolve("missing"));
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        CliRun usage = survey();
        assertThat(usage.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(usage.err()).contains("Missing required parameter: 'DIR'");
    }

    @Test
    void aQuirkForbiddingTheTailMovesVcapAndFlagsQemu() throws Exception {
        Path q = Files.writeString(tmp.resolve("q.yaml"), """
                version: 1
                quirks:
                  - id: tail-regs
                    match: {vendor: 0x8086}
                    forbid: [{range: 0xf00-0xfff, reason: TAIL_REGS}]
                    source: a test
                """);
        JsonNode clean = new ObjectMapper().readTree(survey(dir, "--json", "--quirks", q).out()).get("devices").get(0);
        assertThat(clean.get("tail").asText()).isEqualTo("forbidden");
        assertThat(clean.get("comparison").asText()).isEqualTo("qemu-overlays-forbidden");
        assertThat(clean.get("vcap").get("offset").asInt()).isLessThan(0xF00);
    }

    @Test
    void theCorpusJmicronCardReaderHasVendorDataWhereQemuPutsVpasid() throws Exception {
        Path dumps = Corpus.require().resolve("dumps");
        JsonNode root = new ObjectMapper().readTree(survey(dumps, "--json").out());
        JsonNode jmb38x = null;
        JsonNode rootPort = null;
        for (JsonNode d : root.get("devices")) {
            if (d.get("source").asText().contains("gh-alienware-m11x__1a-00.0__197b-2382")) {
                jmb38x = d;
            }
            if (d.get("source").asText().contains("gh-alienware-m11x__00-01.0__8086-2a41")) {
                rootPort = d;
            }
        }
        assertThat(jmb38x).isNotNull();
        assertThat(jmb38x.get("tail").asText()).isEqualTo("non-zero");
        assertThat(jmb38x.get("tailDetail").asText()).startsWith("6 of the 8 bytes at 0xff8 read non-zero: 00 40 ");
        // its extended list is empty: QEMU 11.0's vfio_add_ext_cap() returns before it would overlay that data
        assertThat(jmb38x.get("comparison").asText()).isEqualTo("qemu-not-exposed");
        assertThat(jmb38x.get("vcap").get("offset").asInt()).isNotEqualTo(0xFF8);
        assertThat(rootPort.get("skipped").asText()).startsWith("not assignable: vfio-pci binds only type 0");
        JsonNode t = root.get("totals");
        assertThat(t.get("devices").asInt()).isGreaterThan(500);
        assertThat(t.get("surveyed").asInt()).isGreaterThan(100);
        int sum = 0;
        for (JsonNode n : t.get("comparison")) {
            sum += n.asInt();
        }
        assertThat(sum).isEqualTo(t.get("surveyed").asInt());
    }
}
