package dev.vcap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.pci.dump.LspciTextWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every command that builds a guest's config space asks of a dump (docs/CLI.md, "Inputs that
 * are not a device"): a 64-byte capture and a function that does not respond are incomplete input
 * (exit 3); a bridge, which vfio-pci does not bind, is refused (exit 4) by plan, report,
 * check-migration and pool, and skipped by survey.
 */
class DeviceChecksTest {

    @TempDir
    Path tmp;

    Path contract;

    static ConfigSpace endpoint() {
        return ConfigSpaceBuilder.endpoint(0x8086, 0x0b25).pcie(0x40, DeviceTraits.PCIE_ENDPOINT)
                .extended(0x100, ExtendedCapability.AER, 2).build();
    }

    /** A PCI Express root port (type 1 header), 4 KiB captured. */
    static ConfigSpace rootPort() {
        return ConfigSpaceBuilder.bridge(0x8086, 0x2940).pcie(0x40, DeviceTraits.PCIE_ROOT_PORT)
                .extended(0x100, ExtendedCapability.AER, 2).build();
    }

    Path dump(String name, ConfigSpace cs) throws IOException {
        Path f = tmp.resolve(name);
        try (OutputStream out = Files.newOutputStream(f)) {
            new LspciTextWriter(out).write(new DeviceImage(new PciAddress(0, 0, 0x1c, 0), "Device", cs, name));
        }
        return f;
    }

    @BeforeEach
    void contract() throws IOException {
        contract = tmp.resolve("c.json");
        CliRun run = CliRun.of("plan", dump("src.lspci", endpoint()).toString(), "--pasid", "--contract",
                contract.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
    }

    /** The commands that need more than a device's header, each over one input. */
    List<List<String>> commands(Path input) {
        List<List<String>> out = new ArrayList<>();
        out.add(List.of("plan", input.toString(), "--pasid"));
        out.add(List.of("report", input.toString(), "--html", tmp.resolve("r.html").toString()));
        out.add(List.of("survey", input.toString()));
        out.add(List.of("check-migration", contract.toString(), input.toString()));
        out.add(List.of("pool", input.toString(), "--pasid"));
        return out;
    }

    static Stream<Arguments> incomplete() {
        ConfigSpace header = ConfigSpace.copyOf(endpoint().slice(0, ConfigSpace.HEADER_SIZE));
        ConfigSpace allOnes = ConfigSpace.allocate(ConfigSpace.EXTENDED_SIZE);
        allOnes.fill(0, ConfigSpace.EXTENDED_SIZE, 0xFF);
        return Stream.of(
                Arguments.of("a 64-byte capture (a user other than root)", header,
                        "src.lspci:1: device 0000:00:1c.0: only 64 bytes were captured; read config space as root"),
                Arguments.of("a function that does not respond (D3cold)", allOnes,
                        ":1: device 0000:00:1c.0: function not responding: its Vendor ID and Header Type read all"
                                + " ones"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void incomplete(String name, ConfigSpace cs, String message) throws IOException {
        Path input = dump("src.lspci", cs);
        for (List<String> command : commands(input)) {
            CliRun run = CliRun.of(command.toArray(String[]::new));
            assertThat(run.exitCode()).as("%s: %s", command, run.err()).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(run.err()).as("%s", command).contains(message);
        }
    }

    @Test
    void aBridgeIsRefusedBecauseVfioPciDoesNotBindIt() throws IOException {
        Path port = dump("port.lspci", rootPort());
        String why = "not assignable: vfio-pci binds only type 0 functions: vfio_pci_core_register_device refuses"
                + " header type 1";
        CliRun plan = CliRun.of("plan", port.toString(), "--pasid");
        assertThat(plan.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(plan.out()).contains("  REFUSED: " + why).doesNotContain("guest-visible capabilities");
        assertThat(plan.err()).contains("vcap: refused: 0000:00:1c.0: " + why);

        JsonNode json = json(CliRun.of("plan", port.toString(), "--pasid", "--json")).get("devices").get(0);
        assertThat(json.get("refused").asBoolean()).isTrue();
        assertThat(json.get("refusal").asText()).startsWith(why);
        assertThat(json.get("capabilities")).isEmpty();
        assertThat(json.get("placements")).isEmpty();

        Path page = tmp.resolve("r.html");
        CliRun report = CliRun.of("report", port.toString(), "--pasid", "--html", page.toString());
        assertThat(report.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(Files.readString(page)).contains("REFUSED: " + why).doesNotContain("<svg");

        CliRun check = CliRun.of("check-migration", contract.toString(), port.toString(), "--json");
        assertThat(check.exitCode()).isEqualTo(ExitCodes.REFUSED);
        JsonNode verdict = json(check);
        assertThat(verdict.get("rule").asText()).isEqualTo("NOT_ASSIGNABLE");
        assertThat(verdict.get("offset").asInt()).isEqualTo(0x0E);
        assertThat(verdict.get("reason").asText()).startsWith(why);

        Path src = tmp.resolve("src.lspci");
        CliRun pool = CliRun.of("pool", src.toString(), port.toString(), src.toString(), "--pasid", "--json");
        assertThat(pool.exitCode()).isEqualTo(ExitCodes.REFUSED);
        JsonNode p = json(pool);
        assertThat(p.get("devices").asInt()).isEqualTo(3);
        assertThat(p.get("core").asInt()).isEqualTo(2);
        assertThat(p.get("complete").asBoolean()).isFalse();
        assertThat(p.get("blockers")).hasSize(1);
        assertThat(p.get("blockers").get(0).get("device").asText()).isEqualTo(port + ":1 0000:00:1c.0");
        assertThat(p.get("blockers").get(0).get("reason").asText()).startsWith(why);

        CliRun survey = CliRun.of("survey", port.toString(), "--json");
        assertThat(survey.exitCode()).isZero();
        assertThat(json(survey).get("devices").get(0).get("skipped").asText()).startsWith(why);
    }

    private static JsonNode json(CliRun run) throws IOException {
        return new ObjectMapper().readTree(run.out());
    }
}
