package dev.vcap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vcap.linux.testing.FakeSysfs;
import dev.vcap.linux.testing.OpenFds;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vcap host}, {@code vcap probe} and PCI-address inputs over a sysfs and /dev built in a
 * temporary directory. Device files there are plain files, so every vfio or iommufd ioctl gets the
 * kernel's real ENOTTY; the real kernel's answers are in vcap-linux's LinuxKernelTest and docs/LINUX.md.
 */
class LiveCommandsTest {

    @TempDir
    Path tmp;

    private CliRun run(FakeSysfs fs, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--sys-root", fs.sys().toString(), "--dev-root", fs.dev().toString()));
        return CliRun.of(all.toArray(String[]::new));
    }

    @Test
    void hostWithoutVfioSaysWhatIsMissingAndExitsFive() {
        FakeSysfs fs = new FakeSysfs(tmp);
        fs.function("0000:00:1f.2").driver("ahci").group(3);
        CliRun r = run(fs, "host");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(r.out()).contains("iommufd           no       no " + fs.dev().resolve("iommu")
                + ": iommufd is not built (CONFIG_IOMMUFD) or not loaded (modprobe iommufd)");
        assertThat(r.out()).contains("pasid_attach      unknown  not probed: needs iommufd");
        assertThat(r.err()).startsWith("vcap: this host cannot assign a device: no PCI function is bound to vfio-pci;"
                + " no " + fs.dev().resolve("iommu"));
        assertThat(r.out()).doesNotContain("cannot assign");
    }

    @Test
    void hostJsonWithoutVfioNamesTheLackToo() throws Exception {
        FakeSysfs fs = new FakeSysfs(tmp);
        CliRun r = run(fs, "host", "--json");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.UNAVAILABLE);
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("functions")).isEmpty();
        assertThat(j.get("features").get(0).get("name").asText()).isEqualTo("iommufd");
        assertThat(j.get("features").get(0).get("status").asText()).isEqualTo("no");
        assertThat(j.get("unavailable").asText()).contains("no PCI function is bound to vfio-pci");
    }

    @Test
    void hostListsVfioFunctionsWithWhatTheKernelAnswered() throws Exception {
        FakeSysfs fs = new FakeSysfs(tmp).iommufd();
        fs.function("0000:03:00.0").ids(0x8086, 0x1521).driver("igb").sriov(7, 1).virtfn(0, "0000:03:10.0");
        fs.function("0000:03:10.0").ids(0x8086, 0x1520).driver("vfio-pci").group(20).vfio("vfio0")
                .physfn("0000:03:00.0");
        long before = OpenFds.count();
        CliRun r = run(fs, "host", "--json");
        assertThat(OpenFds.count()).isEqualTo(before);
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode f = new ObjectMapper().readTree(r.out()).get("functions").get(0);
        assertThat(f.get("address").asText()).isEqualTo("0000:03:10.0");
        assertThat(f.get("deviceId").asInt()).isEqualTo(0x1520);
        assertThat(f.get("role").asText()).isEqualTo("VF");
        assertThat(f.get("physfn").asText()).isEqualTo("0000:03:00.0");
        assertThat(f.get("iommuGroup").asInt()).isEqualTo(20);
        assertThat(f.get("vfioDevice").asText()).isEqualTo(fs.dev() + "/vfio/devices/vfio0");
        assertThat(f.get("hwInfo").isNull()).isTrue();
        assertThat(f.get("hwInfoError").asText()).startsWith("ENOTTY from VFIO_DEVICE_BIND_IOMMUFD");
        CliRun text = run(fs, "host");
        assertThat(text.out()).contains("0000:03:10.0  8086:1520  class 020000  VF of 0000:03:00.0  group 20  "
                + fs.dev() + "/vfio/devices/vfio0");
    }

    @Test
    void probeRefusesAFunctionVfioPciDoesNotOwn() {
        FakeSysfs fs = new FakeSysfs(tmp).iommufd();
        fs.function("0000:00:1f.2").driver("ahci").group(3);
        CliRun r = run(fs, "probe", "00:1f.2", "--attach");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).isEqualTo("vcap: 0000:00:1f.2: vfio-pci does not own it (driver: ahci); vcap probe"
                + " touches only functions bound to vfio-pci (docs/LINUX.md says how to bind one)\n");
        assertThat(r.out()).isEmpty();
        assertThat(run(fs, "probe", "05:00.0").err()).contains("0000:05:00.0: no such PCI function");
        CliRun bad = run(fs, "probe", "5:0.0");
        assertThat(bad.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(bad.err()).contains("ADDR: expected a PCI address");
    }

    @Test
    void probeReportsEachStepAndItsCleanUp() throws Exception {
        FakeSysfs fs = new FakeSysfs(tmp).iommufd();
        fs.function("0000:01:00.0").driver("vfio-pci").group(7).vfio("vfio0");
        CliRun r = run(fs, "probe", "0000:01:00.0");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(r.out()).contains("steps that change IOMMU state: not run (--attach runs them)");
        assertThat(r.out()).containsPattern("bind +ENOTTY");
        assertThat(r.out()).contains("clean-up, in reverse order:");
        assertThat(r.out()).contains("PASID passthrough of 0000:01:00.0: unknown -- the probe stopped before"
                + " IOMMU_GET_HW_INFO");
        JsonNode j = new ObjectMapper().readTree(run(fs, "probe", "01:00.0", "--json").out());
        assertThat(j.get("address").asText()).isEqualTo("0000:01:00.0");
        assertThat(j.get("steps").get(2).get("step").asText()).isEqualTo("bind");
        assertThat(j.get("steps").get(2).get("errno").asText()).isEqualTo("ENOTTY");
        assertThat(j.get("steps").get(3).get("cleanup").asBoolean()).isTrue();
        assertThat(j.get("pasidPassthrough").asText()).isEqualTo("unknown");
        assertThat(j.get("cleanedUp").asBoolean()).isTrue();
    }

    @Test
    void inspectReadsAFunctionVfioPciDoesNotOwnFromSysfs() throws Exception {
        FakeSysfs fs = new FakeSysfs(tmp);
        fs.function("0000:01:00.0").ids(0x8086, 0x0b25).driver("idxd").group(7)
                .config(TestDevices.withPasid().toByteArray());
        CliRun r = run(fs, "inspect", "01:00.0");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("0000:01:00.0 Class 020000: Device 8086:0b25 driver idxd [8086:0b25]"
                + " (4096 bytes, from ");
        assertThat(r.out()).contains("extended  0x230   0x001b  v1   8       Process Address Space ID (PASID)");
        CliRun plan = run(fs, "plan", "0000:01:00.0", "--pasid");
        assertThat(plan.exitCode()).as(plan.err()).isZero();
        assertThat(plan.out()).contains("hidden from the guest:").contains("PASID");
    }

    @Test
    void aVfioFunctionTheHostCannotOpenIsNamedWithTheKernelsAnswer() {
        FakeSysfs fs = new FakeSysfs(tmp);
        fs.function("0000:01:00.0").driver("vfio-pci").group(7).config(TestDevices.withPasid().toByteArray());
        CliRun r = run(fs, "inspect", "01:00.0");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains("0000:01:00.0: cannot read this function: ENOENT from open ")
                .contains("vfio container");
    }

    @Test
    void aFileNamedLikeAnAddressIsAFile() throws Exception {
        FakeSysfs fs = new FakeSysfs(tmp.resolve("root"));
        Path file = tmp.resolve("01:00.0");
        TestDevices.write(file, TestDevices.withPasid());
        CliRun r = CliRun.of("inspect", file.toString(), "--sys-root", fs.sys().toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("from " + file);
    }
}
