package dev.vcap.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vcap.cli.Main;
import dev.vcap.linux.sysfs.PciFunction;
import dev.vcap.linux.testing.OpenFds;
import dev.vcap.linux.testing.RealKernel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;

/**
 * {@code vcap host --json}, {@code vcap inspect ADDR} and {@code vcap probe ADDR --attach} on the live
 * guest, run through {@link Main#run} — the CLI's own entry, in this JVM: a JVM start costs 20 s and
 * more under TCG on a busy machine. Each command's output is left in the results share
 * ({@code cli/NAME.out}, {@code .err}, {@code .status}) for the record.
 */
class LiveCliKernelTest {

    record Run(int status, String out, String err) {
    }

    private static Run vcap(String name, String... args) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, out, err);
        Run r = new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        if (LiveKernel.resultsDir().isPresent()) {
            Path dir = Files.createDirectories(LiveKernel.resultsDir().get().resolve("cli"));
            Files.writeString(dir.resolve(name + ".out"), r.out());
            Files.writeString(dir.resolve(name + ".err"), r.err());
            Files.writeString(dir.resolve(name + ".status"), status + "\n");
        }
        return r;
    }

    @Test
    void hostJsonListsTheFunctionsAndTheKernelsFeatures(TestReporter report) throws IOException {
        List<PciFunction> fns = RealKernel.vfioFunctions();
        Run r = vcap("host-json", "host", "--json");
        assertThat(r.status()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("kernel").asText()).isEqualTo(LiveKernel.release());
        List<String> seen = new ArrayList<>();
        for (JsonNode f : json.get("functions")) {
            seen.add(f.get("address").asText());
        }
        for (PciFunction f : fns) {
            JsonNode j = find(json.get("functions"), f.address().toString());
            assertThat(j.get("driver").asText()).isEqualTo("vfio-pci");
            assertThat(j.get("iommuGroup").asInt()).isEqualTo(f.iommuGroup());
            assertThat(j.get("vfioDevice").asText()).isEqualTo("/dev/vfio/devices/" + f.vfioDevice());
            assertThat(j.get("hwInfo").get("type").asInt()).as("IOMMU_GET_HW_INFO type: VT-d").isEqualTo(1);
        }
        JsonNode pasid = find(json.get("features"), "pasid_attach", "name");
        assertThat(pasid.get("status").asText()).isEqualTo(LiveKernel.hasPasidUapi() ? "yes" : "no");
        if (!LiveKernel.hasPasidUapi()) {
            assertThat(pasid.get("detail").asText()).contains("this kernel has no vfio PASID attach (Linux < 6.15)");
        }
        report.publishEntry("host --json", seen + "; pasid_attach " + pasid.get("status").asText() + ": "
                + pasid.get("detail").asText());
    }

    @Test
    void inspectReadsTheLiveFunctionThroughVfio(TestReporter report) throws IOException {
        RealKernel.vfioFunctions();
        Run r = vcap("inspect", "inspect", "0000:01:00.0");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("Advanced Error Reporting").contains("Device Serial Number");
        report.publishEntry("inspect 0000:01:00.0", r.out().lines().findFirst().orElse(""));
    }

    @Test
    void probeAnswersStepByStepAndLeavesNothingBehind(TestReporter report) throws IOException {
        RealKernel.vfioFunctions();
        long fds = OpenFds.count();
        Run r = vcap("probe", "probe", "0000:01:00.0", "--attach", "--json");
        assertThat(OpenFds.count()).as("descriptors after the probe").isEqualTo(fds);
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("cleanedUp").asBoolean()).as(r.out()).isTrue();
        JsonNode pasid = find(json.get("features"), "pasid_attach", "name");
        if (LiveKernel.hasPasidUapi()) {
            assertThat(pasid.get("status").asText()).isEqualTo("yes");
            for (JsonNode s : json.get("steps")) {
                assertThat(s.get("errno").isNull()).as("step %s: %s", s.get("step"), s.get("result")).isTrue();
            }
        } else {
            assertThat(r.status()).as("refused: " + json.get("verdict")).isEqualTo(4);
            assertThat(pasid.get("status").asText()).isEqualTo("no");
            assertThat(json.get("verdict").asText()).contains("6.15");
        }
        report.publishEntry("probe 0000:01:00.0 --attach", "exit " + r.status() + ", " + json.get("steps").size()
                + " steps; " + json.get("pasidPassthrough").asText() + ": " + json.get("verdict").asText());
    }

    private static JsonNode find(JsonNode array, String value) {
        return find(array, value, "address");
    }

    private static JsonNode find(JsonNode array, String value, String field) {
        for (JsonNode n : array) {
            if (n.get(field).asText().equals(value)) {
                return n;
            }
        }
        throw new AssertionError("no " + field + " " + value + " in " + array);
    }
}
