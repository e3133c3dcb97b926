package dev.vcap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.cli.ChildJvm.Run;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
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

    @BeforeAll
    static void writeDump() throws IOException {
        dump = ChildJvm.dsaDump(tmp);
    }

    static Run vcap(String... args) throws IOException, InterruptedException {
        Run run = ChildJvm.java(tmp, List.of("-jar", JAR.toAbsolutePath().toString()), args);
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
