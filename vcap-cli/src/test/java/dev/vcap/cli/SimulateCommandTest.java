package dev.vcap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.pci.dump.LspciTextWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** vcap simulate: the built-in scenario, the shipped scenario files, JSON, failures and bad files. */
class SimulateCommandTest {

    private static final Path SCENARIOS = Path.of("..", "scenarios");

    @TempDir
    Path tmp;

    @Test
    void theBuiltInScenarioPassesWithPasidWhereBothHostsReadZero() {
        CliRun run = CliRun.of("simulate");
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).startsWith("scenario: a VF with three PASIDs migrates to a host with another VF firmware"
                + " (built-in scenario)\n");
        // the destination's VF firmware keeps 0x00000c01 at 0xff8: the pool plan must go elsewhere
        assertThat(run.out()).contains("VF firmware writes [0x00000c01 at 0xff8]")
                .contains("placed PASID at 0xef0").contains("check pass        migration admitted as expected")
                .contains("check pass        every PASID re-attached on destination: [1, 2, 3]")
                .contains("check pass        no leak on source").contains("check pass        no leak on destination")
                .doesNotContain("FAIL").endsWith("verdict: PASS — 16 checks, 0 failed\n");
        assertThat(CliRun.of("simulate").out()).as("deterministic").isEqualTo(run.out());
    }

    static Stream<Path> scenarioFiles() throws IOException {
        try (Stream<Path> files = Files.list(SCENARIOS)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("scenarioFiles")
    void everyShippedScenarioPasses(Path file) {
        CliRun run = CliRun.of("simulate", "--scenario", file.toString());
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("verdict: PASS");
    }

    @Test
    void scenarioFilesShowTheirRefusalReasons() {
        assertThat(CliRun.of("simulate", "--scenario", SCENARIOS.resolve("qemu-default-refused.yaml").toString()).out())
                .contains("placed PASID at 0xff8").contains("SYNTHESIZED_NONZERO_BYTES")
                .contains("check pass        migration refused as expected");
        assertThat(CliRun.of("simulate", "--scenario", SCENARIOS.resolve("narrow-pasid-refused.yaml").toString()).out())
                .contains("check pass        migration refused as expected: PASID_WIDTH");
    }

    /** Admission refuses a destination only for what it lacks: one with more Exec/Priv than the guest got is admitted. */
    @Test
    void hostsWithExecAndPrivOnMigrate() {
        CliRun run = CliRun.of("simulate", "--scenario", SCENARIOS.resolve("exec-priv-hosts.yaml").toString());
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("IOMMU PASID width 20 EXEC PRIV")
                .contains("check pass        migration admitted as expected")
                .contains("check pass        every PASID re-attached on destination: [1, 2]")
                .doesNotContain("PASID_FEATURES").contains("verdict: PASS");
    }

    @Test
    void jsonIsOneEventPerLineThenTheVerdict() throws IOException {
        CliRun run = CliRun.of("simulate", "--json");
        assertThat(run.exitCode()).isZero();
        List<String> lines = run.out().lines().toList();
        ObjectMapper m = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        assertThat(lines).as("JSON Lines: every line one object, nothing around it").allSatisfy(l -> {
            assertThat(l).startsWith("{").endsWith("}");
            assertThat(m.readTree(l).isObject()).isTrue();
        });
        for (int i = 0; i < lines.size() - 1; i++) {
            JsonNode e = m.readTree(lines.get(i));
            assertThat(e.get("seq").asInt()).isEqualTo(i + 1);
            assertThat(e.get("actor").asText()).isIn("host", "vmm", "guest", "check");
            assertThat(e.get("where").asText()).isNotEmpty();
            assertThat(e.get("message").asText()).isNotEmpty();
        }
        JsonNode verdict = m.readTree(lines.getLast());
        assertThat(verdict.get("verdict").asText()).isEqualTo("pass");
        assertThat(verdict.get("checks").asInt()).isEqualTo(16);
        assertThat(verdict.get("failed").asInt()).isZero();
        assertThat(verdict.get("layout").get(0).asText()).startsWith("space");
    }

    @Test
    void aFailedCheckExits4AndSaysWhichOne() throws IOException {
        Path f = tmp.resolve("wrong.yaml");
        Files.writeString(f, Files.readString(SCENARIOS.resolve("narrow-pasid-refused.yaml"))
                .replace("expect: refused", "expect: admitted"));
        CliRun run = CliRun.of("simulate", "--scenario", f.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(run.out()).contains("check FAIL        migration admitted as expected: PASID_WIDTH: ")
                .contains("verdict: FAIL — ").contains(", 1 failed");
    }

    Path scenario(String steps) throws IOException {
        Path f = tmp.resolve("s.yaml");
        Files.writeString(f, """
                version: 1
                hosts:
                  - name: a
                    pf: {address: "0000:03:00.0", device: pasid-pf}
                    iommu: {pasidWidth: 20}
                  - name: b
                    pf: {address: "0000:03:00.0", device: pasid-pf}
                    iommu: {pasidWidth: 20}
                vm:
                  viommu: {model: vtd, width: 20}
                  host: a
                  function: pf
                steps:
                """ + steps);
        return f;
    }

    /** Runs a bad scenario; returns stderr after checking exit code 3 and that nothing ran. */
    String bad(String steps) throws IOException {
        CliRun run = CliRun.of("simulate", "--scenario", scenario(steps).toString());
        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.out()).isEmpty();
        return run.err();
    }

    @Test
    void aMinimalScenarioRuns() throws IOException {
        CliRun run = CliRun.of("simulate", "--scenario", scenario("  - enumerate\n  - shutdown\n").toString());
        assertThat(run.exitCode()).as(run.out()).isZero();
    }

    @Test
    void aHostsDeviceMayComeFromADump() throws IOException {
        Path dump = tmp.resolve("dsa.lspci");
        try (var out = Files.newOutputStream(dump)) {
            new LspciTextWriter(out).write(new DeviceImage(new PciAddress(0, 1, 0, 0), "DSA", MigrationCommandsTest.model()
                    .with((c, at) -> c.setU32(0x64, 1 << 21 | 1 << 22)) // DevCap2: End-End TLP prefixes
                    .extended(0x200, ExtendedCapability.PASID, 1, (c, at) -> c.setU16(at + 4, 20 << 8)).build(), "dsa"));
        }
        Path f = scenario("  - enumerate\n  - enable-pasid\n  - bind: {pasid: 5}\n  - shutdown\n");
        Files.writeString(f, Files.readString(f).replace("device: pasid-pf", "dump: dsa.lspci"));
        CliRun run = CliRun.of("simulate", "--scenario", f.toString());
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("PF 0000:03:00.0 (" + dump + ")").contains("placed PASID at 0x")
                .contains("pci_enable_pasid(features 0x0) -> 0").contains("check pass        PASID 5 attached on a");
    }

    @Test
    void anUnknownStepIsNamedWithItsLine() throws IOException {
        assertThat(bad("  - enumerate\n  - reboot\n")).isEqualTo("vcap: " + tmp.resolve("s.yaml") + ":15: steps[1]: unknown"
                + " step 'reboot'; expected one of enumerate, enable-pasid, enable-ats, enable-pri, bind, unbind,"
                + " disable-pasid, flr, migrate, shutdown\n");
    }

    @Test
    void aDriverStepBeforeEnumerateIsRefused() throws IOException {
        assertThat(bad("  - enable-pasid: {exec: true}\n")).contains("s.yaml:14: ")
                .contains("step 'enable-pasid' before the guest probed the device; expected 'enumerate' first");
    }

    @Test
    void aMigrationToTheVmsOwnHostIsRefused() throws IOException {
        assertThat(bad("  - enumerate\n  - migrate: {to: a}\n")).contains("s.yaml:15: ")
                .contains("'migrate' to a, where the VM already runs; expected another host");
        assertThat(bad("  - enumerate\n  - migrate: {to: c}\n")).contains("s.yaml:15: ").contains("no host named 'c'");
    }

    @Test
    void aStepAfterShutdownIsRefused() throws IOException {
        assertThat(bad("  - enumerate\n  - shutdown\n  - enumerate\n")).contains("s.yaml:16: ")
                .contains("a step after 'shutdown'");
    }

    @Test
    void badFieldsAndFilesAreNamed() throws IOException {
        Path f = tmp.resolve("dev.yaml");
        Files.writeString(f, Files.readString(scenario("  - enumerate\n")).replaceFirst("pasid-pf", "no-such"));
        CliRun run = CliRun.of("simulate", "--scenario", f.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).contains("dev.yaml:4: ").contains("'no-such' is not a built-in device; expected one of");
        CliRun missing = CliRun.of("simulate", "--scenario", tmp.resolve("none.yaml").toString());
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(missing.err()).contains("none.yaml");
        assertThat(CliRun.of("simulate", "--scenario").exitCode()).isEqualTo(ExitCodes.USAGE);
    }
}
