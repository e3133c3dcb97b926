package dev.vcap.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vcap report}: the page's content, exit codes, determinism, and that a browser draws it. */
class ReportCommandTest {

    @TempDir
    Path tmp;

    static CliRun report(Object... args) {
        List<String> a = new ArrayList<>(List.of("report", "--no-shipped-quirks"));
        for (Object o : args) {
            a.add(o.toString());
        }
        return CliRun.of(a.toArray(String[]::new));
    }

    Path quirk() throws Exception {
        return Files.writeString(tmp.resolve("q.yaml"), """
                version: 1
                quirks:
                  - id: test-hidden
                    match: {vendor: 0x8086, device: 0x0b25}
                    forbid: [{range: 0x800-0x8ff, reason: TEST_REG}]
                    source: a test
                """);
    }

    @Test
    void thePageDrawsCapabilitiesHiddenSynthesizedNonZeroAndForbidden() throws Exception {
        Path dump = TestDevices.write(tmp.resolve("d.lspci"), TestDevices.withPasid(), TestDevices.tailByte());
        Path html = tmp.resolve("r.html");
        CliRun run = report(dump, "--html", html, "--pasid", "--quirks", quirk());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("report: 2 devices drawn, written to " + html + "\n");
        String page = Files.readString(html);
        assertThat(page).startsWith("<!DOCTYPE html>")
                .contains("<svg xmlns=\"http://www.w3.org/2000/svg\"")
                .contains(">AER</text>").contains(">PASID</text>")
                .contains("hidden Process Address Space ID (PASID)@0x230 by host: vfio-pci (Linux 6.15) hides PASID")
                .contains("Process Address Space ID (PASID)@0xff8, 8 bytes, synthesized")
                .contains("stroke=\"#1b5e20\"")
                .contains("0x800-0x8ff forbidden by quirk &#39;test-hidden&#39;: TEST_REG")
                .contains("fill=\"url(#forbidden)\"")
                .contains("non-zero bytes in a gap: 10")
                .contains("PASID 0xff8 by gap-search")
                .doesNotContain("<script").doesNotContain("<link");
        assertThat(page.replace("http://www.w3.org/2000/svg", "")).doesNotContain("http");
    }

    @Test
    void withoutPlacementOptionsThePictureIsTheGuestViewAsItStands() throws Exception {
        Path dump = TestDevices.write(tmp.resolve("d.lspci"), TestDevices.withPasid(), TestDevices.conventional());
        Path html = tmp.resolve("r.html");
        CliRun run = report(dump, "--html", html);
        assertThat(run.exitCode()).isZero();
        assertThat(Files.readString(html)).doesNotContain("synthesized").contains("nothing placed: not a PCI Express")
                .contains("aria-label=\"config space of 0000:02:00.0\"");
    }

    @Test
    void exitCodes() throws Exception {
        Path dump = TestDevices.write(tmp.resolve("d.lspci"), TestDevices.clean().build());
        Path html = tmp.resolve("r.html");
        CliRun missing = report(dump, "--pasid");
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err()).contains("Missing required option: '--html=OUT'");
        CliRun refused = report(dump, "--html", html, "--pasid", "--pasid-offset", "0x100");
        assertThat(refused.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(refused.out()).isEqualTo("report: 1 device drawn, written to " + html + "; 1 refused\n");
        assertThat(Files.readString(html)).contains("PASID REFUSED by explicit-offset");
        CliRun conflict = report(dump, "--html", html, "--ats", "--compat", "qemu");
        assertThat(conflict.exitCode()).isEqualTo(ExitCodes.USAGE);
        Path bad = Files.writeString(tmp.resolve("bad.yaml"), "version: 2\nquirks: []\n");
        CliRun badQuirks = report(dump, "--html", html, "--quirks", bad);
        assertThat(badQuirks.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(badQuirks.err()).isEqualTo("vcap: " + bad + ":1: version: unsupported version 2; expected 1\n");
        CliRun dir = report(dump, "--html", tmp);
        assertThat(dir.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(dir.err()).contains(": is a directory; expected a file name to write");
    }

    @Test
    void twoRunsAreByteIdentical() throws Exception {
        Path dump = TestDevices.write(tmp.resolve("d.lspci"), TestDevices.withPasid(), TestDevices.tailByte());
        Path one = tmp.resolve("one.html");
        Path two = tmp.resolve("two.html");
        report(dump, "--html", one, "--pasid", "--pri", "--ats", "--quirks", quirk());
        report(dump, "--html", two, "--pasid", "--pri", "--ats", "--quirks", quirk());
        assertThat(Files.readAllBytes(two)).isEqualTo(Files.readAllBytes(one));
    }

    /** Headless Chromium draws the page: the synthesized capability's green is on the screenshot. */
    @Test
    void headlessChromiumRendersThePage() throws Exception {
        String chromium = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser").stream()
                .filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElse(null);
        assumeTrue(chromium != null, "chromium is not installed (apt-get install chromium); skipping the browser"
                + " rendering check of vcap report (docs/PLACEMENT.md)");
        Path dump = TestDevices.write(tmp.resolve("d.lspci"), TestDevices.withPasid());
        Path html = tmp.resolve("r.html");
        assertThat(report(dump, "--html", html, "--pasid").exitCode()).isZero();
        Path png = tmp.resolve("r.png");
        Path profile = Files.createDirectories(tmp.resolve("profile"));
        Process p = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile, "--screenshot=" + png, "--window-size=1400,1200", html.toUri().toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("chromium.log").toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        assertThat(png).exists();
        BufferedImage image = ImageIO.read(png.toFile());
        int green = 0;
        int hatched = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y) & 0xFFFFFF;
                if (rgb == 0x43A047) {
                    green++;
                }
                if (rgb == 0x9E9E9E) {
                    hatched++;
                }
            }
        }
        assertThat(green).as("pixels of the synthesized PASID's green").isGreaterThan(200);
        assertThat(hatched).as("pixels of the hidden PASID's hatching").isGreaterThan(20);
    }
}
