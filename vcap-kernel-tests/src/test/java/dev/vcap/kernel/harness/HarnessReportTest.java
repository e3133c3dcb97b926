package dev.vcap.kernel.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host side of the harness on results directories shaped as a guest leaves them. */
class HarnessReportTest {

    private static final String XML = """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuite name="JUnit Jupiter" tests="3" skipped="1" failures="1" errors="0">
            <testcase name="a()" classname="dev.vcap.kernel.ATest" time="0.1">
            <system-out><![CDATA[
            unique-id: [engine:junit-jupiter]/[class:dev.vcap.kernel.ATest]/[method:a()]
            display-name: JUnit Jupiter > ATest > config view of 0000:01:00.0
            ]]></system-out>
            <system-out><![CDATA[
            Report Entry #1 (timestamp: 2026-12-03T09:31:01.771418773)
            \t- 0000:01:00.0: 4096 bytes equal after 23 steps
            Report Entry #2 (timestamp: 2026-12-03T09:31:01.871418773)
            \t- double bind:\s
            VFIO_DEVICE_BIND_IOMMUFD  ok
            VFIO_DEVICE_BIND_IOMMUFD  EINVAL
            ]]></system-out>
            </testcase>
            <testcase name="b()" classname="dev.vcap.kernel.ATest" time="0.1">
            <failure message="expected EINVAL, got EBUSY" type="java.lang.AssertionError">trace</failure>
            </testcase>
            <testcase name="c()" classname="dev.vcap.kernel.BTest" time="0.0">
            <skipped message="no /dev/iommu"/>
            </testcase>
            </testsuite>
            """;

    private static Path guest(Path root, String name, boolean finished) throws IOException {
        Path d = root.resolve(name);
        Files.createDirectories(d.resolve("junit"));
        Files.writeString(d.resolve("kernel-release"), "7.3.4-vfiolab\n");
        Files.writeString(d.resolve("junit/seconds"), "41\n");
        if (finished) {
            Files.writeString(d.resolve("status"), "0\n");
            Files.writeString(d.resolve("junit/TEST-junit-jupiter.xml"), XML);
        } else {
            Files.writeString(d.resolve("console.log"), "Run /init as init process\nkernel stuck\n");
        }
        return d;
    }

    private static void run(HarnessReport r, Path... dirs) {
        for (Path d : dirs) {
            r.kernel(d);
        }
        r.summary();
    }

    @Test
    void passesFailuresAndSkipsAreCountedAndShown(@TempDir Path tmp) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        HarnessReport r = new HarnessReport(new PrintStream(buf, true, StandardCharsets.UTF_8));
        run(r, guest(tmp, "bzImage-7.3.4-vfiolab", true));
        String text = buf.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("== kernel 7.3.4-vfiolab (bzImage-7.3.4-vfiolab), suite 41 s")
                .contains("  pass  ATest > config view of 0000:01:00.0\n          0000:01:00.0: 4096 bytes equal after 23 steps\n"
                        + "          double bind:\n            VFIO_DEVICE_BIND_IOMMUFD  ok\n"
                        + "            VFIO_DEVICE_BIND_IOMMUFD  EINVAL\n")
                .contains("  FAIL  ATest > b()\n          expected EINVAL, got EBUSY")
                .contains("  FAIL  BTest > c()\n          skipped inside the harness: no /dev/iommu");
        assertThat(r.passed()).isEqualTo(1);
        assertThat(r.failed()).isEqualTo(2);
        assertThat(text).endsWith("1 passed, 2 failed\n");
    }

    @Test
    void aGuestThatNeverFinishedFailsWithItsConsole(@TempDir Path tmp) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        HarnessReport r = new HarnessReport(new PrintStream(buf, true, StandardCharsets.UTF_8));
        run(r, guest(tmp, "k", false));
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("  FAIL  guest\n          the guest never finished;")
                .contains("kernel stuck");
        assertThat(r.summary()).isFalse();
    }

    @Test
    void nothingRunIsNotAPass() {
        HarnessReport r = new HarnessReport(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(r.summary()).isFalse();
    }
}
