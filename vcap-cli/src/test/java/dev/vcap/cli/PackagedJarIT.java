package dev.vcap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.pci.dump.LspciTextWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command run from the packaged jar in a child JVM, as {@code ./vcap} runs it: the in-process
 * tests share Maven's test class path, so only this catches a dependency missing from {@code lib/}.
 */
class PackagedJarIT {

    private static final Path JAR = Path.of("target", "vcap-cli.jar");

    @TempDir
    static Path tmp;

    static Path dump;

    record Run(int exitCode, String out, String err) {
    }

    @BeforeAll
    static void writeDump() throws IOException {
        dump = tmp.resolve("dsa.lspci");
        try (OutputStream out = Files.newOutputStream(dump)) {
            new LspciTextWriter(out).write(new DeviceImage(new PciAddress(0, 1, 0, 0), "Intel DSA",
                    MigrationCommandsTest.model().build(), "dsa.lspci"));
        }
    }

    static Run vcap(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(tmp.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        Run run = new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
        assertThat(run.err()).as("stderr of vcap %s", String.join(" ", args)).doesNotContain("Exception");
        return run;
    }

    @Test
    void everyCommandRunsFromTheJar() throws Exception {
        assertThat(vcap("--help").exitCode()).isZero();
        assertThat(vcap("inspect", "--json", dump.toString()).out()).startsWith("{\"devices\":[");
        assertThat(vcap("plan", dump.toString(), "--pasid", "--pri", "--contract", "c.json").exitCode()).isZero();
        Run admitted = vcap("check-migration", "c.json", dump.toString(), "--json");
        assertThat(admitted.exitCode()).as(admitted.out()).isZero();
        assertThat(admitted.out()).contains("\"admitted\":true");
        Run pool = vcap("pool", dump.toString(), dump.toString(), "--pasid", "--json", "--contract", "pool.json");
        assertThat(pool.exitCode()).as(pool.out()).isZero();
        assertThat(tmp.resolve("pool.json")).exists();
        assertThat(vcap("survey", dump.toString()).exitCode()).isZero();
        assertThat(vcap("report", dump.toString(), "--pasid", "--html", "r.html").exitCode()).isZero();
        Run sim = vcap("simulate");
        assertThat(sim.exitCode()).as(sim.out()).isZero();
        assertThat(sim.out()).contains("verdict: PASS");
    }

    @Test
    void theLinuxCommandsCallLibcWithoutANativeAccessWarning() throws Exception {
        dev.vcap.linux.testing.FakeSysfs fs = new dev.vcap.linux.testing.FakeSysfs(tmp.resolve("host")).iommufd();
        fs.function("0000:01:00.0").driver("vfio-pci").group(7).vfio("vfio0");
        Run host = vcap("host", "--json", "--sys-root", fs.sys().toString(), "--dev-root", fs.dev().toString());
        assertThat(host.out()).contains("\"iommufd\"").contains("\"0000:01:00.0\"");
        assertThat(host.out()).as("GET_HW_INFO needs the bind, which libc's ioctl refused").contains("ENOTTY");
        assertThat(host.err()).doesNotContain("WARNING");
        Run probe = vcap("probe", "01:00.0", "--sys-root", fs.sys().toString(), "--dev-root", fs.dev().toString());
        assertThat(probe.exitCode()).as(probe.out()).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(probe.out()).contains("bind").contains("ENOTTY");
        assertThat(probe.err()).isEmpty();
    }
}
