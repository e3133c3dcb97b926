package dev.vcap.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.dump.DeviceSource;
import dev.vcap.pci.dump.Dumps;
import dev.vcap.vmm.config.CapabilityDefinition;
import dev.vcap.vmm.config.HidingPolicy;
import dev.vcap.vmm.migration.Admission;
import dev.vcap.vmm.migration.ContractCodec;
import dev.vcap.vmm.migration.LayoutContract;
import dev.vcap.vmm.migration.PoolPlanner;
import dev.vcap.vmm.placement.Decision;
import dev.vcap.vmm.placement.PlacementOptions;
import dev.vcap.vmm.placement.QuirkTable;
import dev.vcap.vmm.placement.SyntheticCapability;
import dev.vcap.vmm.synth.PasidSupport;
import dev.vcap.vmm.synth.Synthesizers;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code vcap pool}: one layout contract for every device of a pool, or who blocks it. */
@Command(name = "pool",
        mixinStandardHelpOptions = true,
        description = {
            "Plan one layout for a pool of devices -- say, the same device on every",
            "host a VM may migrate to -- and write it as a contract valid on every one;",
            "or name the smallest set of devices that blocks it and why (another model,",
            "another firmware layout, checked bits that differ, or bytes that read",
            "non-zero where every candidate offset lies). The synthesized capabilities",
            "avoid every byte that reads non-zero on any device.",
            ""},
        footer = {"", "Examples:",
            "  vcap pool hosts/ --pasid --pri --contract pool.json",
            "  vcap pool a.lspci b.lspci c.lspci --pasid --json",
            "",
            "Exit codes: 0 one contract fits every device, 4 some devices block (the",
            "contract, when written, fits the rest), 3 bad input, 2 usage. See",
            "docs/CLI.md and docs/CONTRACT.md."})
final class PoolCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Mixin
    LiveRoots roots = new LiveRoots();

    @Parameters(paramLabel = "FILE", arity = "1..*",
            description = "Dumps of the pool's devices, directories, or PCI addresses of live functions.")
    List<Path> files = new ArrayList<>();

    @Option(names = "--pasid", description = "Synthesize PASID.")
    boolean pasid;

    @Option(names = "--pri", description = "Synthesize PRI.")
    boolean pri;

    @Option(names = "--ats", description = "Synthesize ATS.")
    boolean ats;

    @Option(names = "--pasid-width", paramLabel = "N", defaultValue = "20",
            description = "PASID width every host offers (default: ${DEFAULT-VALUE}).")
    int pasidWidth;

    @Option(names = "--exec", description = "Every host supports Execute PASID requests.")
    boolean exec;

    @Option(names = "--priv", description = "Every host supports Privileged PASID requests.")
    boolean priv;

    @Option(names = "--quirks", paramLabel = "FILE", description = "Extra quirk files (repeatable).")
    List<Path> quirks = new ArrayList<>();

    @Option(names = "--contract", paramLabel = "OUT", description = "Write the pool's contract here.")
    Path contractOut;

    @Option(names = "--json", description = "Print the plan as JSON (docs/JSON.md).")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (!pasid && !pri && !ats) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "nothing to place: give --pasid, --pri and/or --ats");
        }
        if (pasidWidth < 1 || pasidWidth > PasidSupport.MAX_WIDTH) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--pasid-width must be 1..20");
        }
        PasidSupport support = new PasidSupport(pasidWidth, exec, priv);
        Map<SyntheticCapability, CapabilityDefinition> requests = new LinkedHashMap<>();
        if (pasid) {
            requests.put(SyntheticCapability.PASID, Synthesizers.pasid(support));
        }
        if (pri) {
            requests.put(SyntheticCapability.PRI, Synthesizers.pri(0x200, pasid));
        }
        if (ats) {
            requests.put(SyntheticCapability.ATS, Synthesizers.ats(0, true, false));
        }
        QuirkTable table = QuirkTable.shipped();
        for (Path q : quirks) {
            table = table.with(q);
        }
        PlacementOptions placement = PlacementOptions.defaults().withQuirks(table);
        PoolPlanner.Options options = new PoolPlanner.Options(requests, placement,
                new Admission.Options(support, table, HidingPolicy.defaults()), LiveViews::of);
        PoolPlanner.PoolPlan plan;
        try (Devices devices = new Devices(DeviceInputs.expand(files, roots.host()))) {
            plan = PoolPlanner.plan(devices, options);
        }
        if (contractOut != null && plan.contract().isPresent()) {
            AtomicFile.write(contractOut, ContractCodec.write(plan.contract().get()));
        }
        if (json) {
            json(plan);
        } else {
            text(plan);
        }
        return plan.complete() ? ExitCodes.OK : ExitCodes.REFUSED;
    }

    private void text(PoolPlanner.PoolPlan plan) {
        PrintWriter out = spec.commandLine().getOut();
        out.printf("pool: %d devices; one contract fits %d%n", plan.devices(), plan.core());
        for (Decision d : plan.decisions()) {
            out.println("  " + (d.placed() ? String.format("%s at 0x%03x (%s: %s)", d.capability(), d.offset().getAsInt(),
                    d.policy(), d.reason()) : d.capability() + " not exposed: " + d.reason()));
        }
        plan.contract().ifPresent(c -> out.println("  contract " + ContractCodec.digest(c)
                + (contractOut == null ? "" : " written to " + contractOut) + String.format(
                ", verified by admitting it on %d device%s (one per distinct class)", plan.verified(),
                plan.verified() == 1 ? "" : "s")));
        if (!plan.blockers().isEmpty()) {
            out.printf("blocking: %d device%s (the smallest set found)%n", plan.blockers().size(),
                    plan.blockers().size() == 1 ? "" : "s");
            plan.blockers().forEach(b -> out.println("  " + b.device() + ": " + b.reason()));
        }
        out.flush();
    }

    private void json(PoolPlanner.PoolPlan plan) throws IOException {
        try (JsonGenerator g = new JsonFactory().createGenerator(main.rawOut(), JsonEncoding.UTF8)) {
            g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            g.writeStartObject();
            g.writeNumberField("devices", plan.devices());
            g.writeNumberField("core", plan.core());
            g.writeBooleanField("complete", plan.complete());
            g.writeArrayFieldStart("placements");
            for (Decision d : plan.decisions()) {
                g.writeStartObject();
                g.writeStringField("capability", d.capability().name());
                if (d.placed()) {
                    g.writeNumberField("offset", d.offset().getAsInt());
                } else {
                    g.writeNullField("offset");
                }
                g.writeStringField("policy", d.policy());
                g.writeStringField("reason", d.reason());
                g.writeEndObject();
            }
            g.writeEndArray();
            if (plan.contract().isPresent()) {
                LayoutContract c = plan.contract().get();
                g.writeStringField("contractDigest", ContractCodec.digest(c));
            } else {
                g.writeNullField("contractDigest");
            }
            g.writeNumberField("verifiedClasses", plan.verified());
            g.writeArrayFieldStart("blockers");
            for (PoolPlanner.Blocker b : plan.blockers()) {
                g.writeStartObject();
                g.writeStringField("device", b.device());
                g.writeStringField("reason", b.reason());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeRaw('\n');
        }
    }

    /** Every device of the inputs, read one file after another. */
    private static final class Devices implements Iterator<DeviceImage>, AutoCloseable {
        private final Iterator<DeviceInputs.DeviceInput> files;
        private DeviceSource current;

        Devices(List<DeviceInputs.DeviceInput> files) {
            this.files = files.iterator();
        }

        @Override
        public boolean hasNext() {
            while (current == null || !current.hasNext()) {
                closeCurrent();
                if (!files.hasNext()) {
                    return false;
                }
                current = files.next().open();
            }
            return true;
        }

        @Override
        public DeviceImage next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return current.next();
        }

        private void closeCurrent() {
            if (current != null) {
                try {
                    current.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                current = null;
            }
        }

        @Override
        public void close() {
            closeCurrent();
        }
    }
}
