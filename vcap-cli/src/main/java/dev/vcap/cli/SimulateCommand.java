package dev.vcap.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.vcap.cli.args.CommandDef;
import dev.vcap.cli.simulate.Scenario;
import dev.vcap.cli.simulate.Simulation;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** {@code vcap simulate}: the whole story on simulated hosts, with a verdict. */
final class SimulateCommand extends Command {

    static final CommandDef<SimulateCommand> DEF = CommandDef.of("simulate", SimulateCommand::new)
            .header("Run a scenario: hosts, VMM and guest, checked step by step.")
            .description(
                "Run a scenario on simulated hosts: the host kernels (vfio, iommufd, an",
                "IOMMU with Linux 6.15's PASID rules), the VMM (virtual config space,",
                "placement, vIOMMU, PASID attach/replace/detach, live migration under a",
                "layout contract) and a guest that probes and drives the device as Linux",
                "does. Prints the event log (host, vmm, guest and check lines), the",
                "guest-visible layout once, and a verdict.",
                "",
                "Without --scenario it runs the built-in scenario: a VF with three PASIDs",
                "migrates to a host whose VF firmware keeps a register where QEMU 11.0",
                "would put vPASID.",
                "")
            .footer(
                "",
                "Examples:",
                "  vcap simulate",
                "  vcap simulate --scenario scenarios/narrow-pasid-refused.yaml",
                "  vcap simulate --json | jq -c 'select(.actor == \"check\")'",
                "",
                "Scenario format: docs/SIMULATE.md. Exit codes: 0 every check passed,",
                "4 a check failed, 3 a bad scenario file (named with line and field),",
                "2 usage.")
            .option("--scenario", "FILE", "A scenario file (YAML, docs/SIMULATE.md).",
                    (c, v) -> c.scenarioFile = Path.of(v))
            .flag("--json", "Emit the event stream as JSON lines, then the verdict.", c -> c.json = true);

    Path scenarioFile;
    boolean json;

    @Override
    Integer call() throws IOException {
        Scenario scenario = scenarioFile == null ? Scenario.builtin() : Scenario.load(scenarioFile);
        PrintWriter out = out();
        Simulation.Result result;
        if (json) {
            // JSON Lines: one object per line, no separator before the next root value
            JsonGenerator g = new JsonFactory().setRootValueSeparator(null).createGenerator(main.rawOut(),
                    JsonEncoding.UTF8);
            g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            result = Simulation.run(scenario, e -> {
                try {
                    g.writeStartObject();
                    g.writeNumberField("seq", e.seq());
                    g.writeStringField("actor", e.actor());
                    g.writeStringField("where", e.where());
                    g.writeStringField("message", e.message());
                    g.writeEndObject();
                    g.writeRaw('\n');
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            });
            g.writeStartObject();
            g.writeStringField("scenario", scenario.name());
            g.writeStringField("verdict", result.passed() ? "pass" : "fail");
            g.writeNumberField("checks", result.checks().size());
            g.writeNumberField("failed", result.checks().stream().filter(c -> !c.passed()).count());
            g.writeArrayFieldStart("layout");
            for (String line : result.layout()) {
                g.writeString(line);
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeRaw('\n');
            g.close();
        } else {
            out.println("scenario: " + scenario.name() + " (" + scenario.origin() + ")");
            result = Simulation.run(scenario, e -> {
                out.printf("[%2d] %-5s %-11s %s%n", e.seq(), e.actor(), e.where(), e.message());
                out.flush();
            });
            out.println();
            out.println("guest-visible layout (on the first host):");
            result.layout().forEach(l -> out.println("  " + l));
            long failed = result.checks().stream().filter(c -> !c.passed()).count();
            out.printf("%nverdict: %s — %d checks, %d failed%n", result.passed() ? "PASS" : "FAIL", result.checks().size(),
                    failed);
            out.flush();
        }
        return result.passed() ? ExitCodes.OK : ExitCodes.REFUSED;
    }
}
