package dev.vcap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code vcap plan --emit-vmm}: golden files for both formats over three built devices — one with
 * its own PASID, PRI and ATS, one without PASID, one conventional (not emitted). The dump is written
 * under target/ with a fixed relative path so the output, which names it, is stable. Run with
 * {@code -Dvcap.updateGolden=true} to rewrite the golden files after a deliberate change.
 */
class PlanEmitVmmTest {

    static final Path DUMP = Path.of("target", "emit-vmm", "hosts.lspci");
    static final Path GOLDEN = Path.of("src", "test", "resources", "dev", "vcap", "cli", "vmm");

    @BeforeAll
    static void writeDump() throws IOException {
        Files.createDirectories(DUMP.getParent());
        TestDevices.write(DUMP, TestDevices.withPasid(), TestDevices.clean().build(), TestDevices.conventional());
    }

    static void assertGolden(String name, String actual) throws IOException {
        Path file = GOLDEN.resolve(name);
        if (Boolean.getBoolean("vcap.updateGolden")) {
            Files.createDirectories(GOLDEN);
            Files.writeString(file, actual);
        }
        String expected;
        try (InputStream in = PlanEmitVmmTest.class.getResourceAsStream("vmm/" + name)) {
            assertThat(in).as("golden file %s", file).isNotNull();
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(actual).as("vcap plan output against %s (-Dvcap.updateGolden=true rewrites it)", file)
                .isEqualTo(expected);
    }

    @Test
    void qemuGolden() throws IOException {
        CliRun run = CliRun.of("plan", DUMP.toString(), "--pasid", "--pri", "--ats", "--no-shipped-quirks",
                "--emit-vmm", "qemu");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertGolden("hosts-qemu.txt", run.out());
    }

    @Test
    void libvirtGolden() throws IOException {
        CliRun run = CliRun.of("plan", DUMP.toString(), "--pasid", "--pri", "--ats", "--no-shipped-quirks",
                "--emit-vmm", "libvirt");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertGolden("hosts-libvirt.xml", run.out());
    }

    @Test
    void jsonCarriesTheConfigurationOfEachDevice() throws IOException {
        CliRun run = CliRun.of("plan", DUMP.toString(), "--pasid", "--no-shipped-quirks", "--emit-vmm", "qemu",
                "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode devices = new ObjectMapper().readTree(run.out()).get("devices");
        JsonNode first = devices.get(0).get("vmm");
        assertThat(first.get("target").asText()).isEqualTo("qemu");
        assertThat(first.get("config").asText())
                .isEqualTo("-device vfio-pci,host=0000:01:00.0,iommufd=iommufd0,x-vpasid-cap-offset=0xff8");
        assertThat(first.get("properties").get(2).get("value").asInt()).isEqualTo(0xff8);
        assertThat(devices.get(2).get("vmm").get("notEmitted").asText()).startsWith("nothing placed: not a PCI Express");
        assertThat(devices.get(2).get("vmm").get("config").isNull()).isTrue();
        CliRun libvirt = CliRun.of("plan", DUMP.toString(), "--pasid", "--emit-vmm", "libvirt", "--json");
        JsonNode vmm = new ObjectMapper().readTree(libvirt.out()).get("devices").get(0).get("vmm");
        assertThat(vmm.get("config").asText()).startsWith("<hostdev mode='subsystem' type='pci' managed='yes'>");
        assertThat(vmm.get("override").asText()).contains("value='4088'");
    }

    @Test
    void withoutJsonThePlanTextIsNotPrinted() {
        CliRun run = CliRun.of("plan", DUMP.toString(), "--pasid", "--emit-vmm", "qemu");
        assertThat(run.out()).doesNotContain("placements:").startsWith("# vcap plan for QEMU 11.0");
    }

    @Test
    void anUnknownVmmIsAUsageError() {
        CliRun run = CliRun.of("plan", DUMP.toString(), "--pasid", "--emit-vmm", "xen");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("'xen': expected qemu or libvirt");
    }

    @Test
    void aRefusedPlanEmitsNothingForItsDeviceAndExitsFour() {
        CliRun run = CliRun.of("plan", DUMP.toString(), "--pasid", "--pasid-offset", "0x104", "--emit-vmm", "qemu");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(run.out()).contains("# 0000:01:00.0 (target/emit-vmm/hosts.lspci:1): not emitted: the plan was"
                + " refused").doesNotContain("-device");
    }
}
