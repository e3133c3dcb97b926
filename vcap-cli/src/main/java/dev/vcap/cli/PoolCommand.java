package dev.vcap.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.vcap.cli.args.CommandDef;
import dev.vcap.cli.args.UsageException;
import dev.vcap.cli.args.Values;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.Header;
import dev.vcap.pci.dump.DeviceSource;
import dev.vcap.pci.dump.DumpFormatException;
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
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/** {@code vcap pool}: one layout contract for every device of a pool, or who blocks it. */
final class PoolCommand extends Command {

    static final CommandDef<PoolCommand> DEF = CommandDef.of("pool", PoolCommand::new)
            .header("Plan one layout contract valid on every device of a pool.")
            .description(
                "Plan one layout for a pool of devices -- say, the same device on every",
                "host a VM may migrate to -- and write it as a contract valid on every one;",
                "or name the devices it does not fit, each refused as vcap check-migration",
                "refuses it (another model, another firmware layout, checked bits that",
                "differ, or bytes that read non-zero where the capability goes). The",
                "synthesized capabilities avoid every byte that reads non-zero on any device.",
                "")
            .footer(
                "",
                "Examples:",
                "  vcap pool hosts/ --pasid --pri --contract pool.json",
                "  vcap pool a.lspci b.lspci c.lspci --pasid --json",
                "",
                "Exit codes: 0 one contract fits every device, 4 some devices block (the",
                "contract, when written, fits the rest), 3 bad input, 2 usage. See",
                "docs/CLI.md and docs/CONTRACT.md.")
            .with(LiveRoots.OPTIONS, c -> c.roots)
            .param("FILE", 1, Integer.MAX_VALUE, "Dumps of the pool's devices, directories, or PCI addresses of live functions.",
                    (c, v) -> c.files.add(Path.of(v)))
            .flag("--pasid", "Synthesize PASID.", c -> c.pasid = true)
            .flag("--pri", "Synthesize PRI.", c -> c.pri = true)
            .flag("--ats", "Synthesize ATS.", c -> c.ats = true)
            .option("--pasid-width", "N", "PASID width every host offers (default: 20).",
                    (c, v) -> c.pasidWidth = Values.toInt(v))
            .flag("--exec", "Every host supports Execute PASID requests.", c -> c.exec = true)
            .flag("--priv", "Every host supports Privileged PASID requests.", c -> c.priv = true)
            .repeatable("--quirks", "FILE", "Extra quirk files (repeatable).",
                    (c, v) -> c.quirks.add(Path.of(v)))
            .option("--contract", "OUT", "Write the pool's contract here.",
                    (c, v) -> c.contractOut = Path.of(v))
            .flag("--json", "Print the plan as JSON (docs/JSON.md).", c -> c.json = true)
            .flag("--progress", "Draw a progress bar on stderr even when it is not a terminal.", c -> c.progress = true);

    final LiveRoots roots = new LiveRoots();
    final List<Path> files = new ArrayList<>();
    boolean pasid;
    boolean pri;
    boolean ats;
    int pasidWidth = 20;
    boolean exec;
    boolean priv;
    final List<Path> quirks = new ArrayList<>();
    Path contractOut;
    boolean json;
    boolean progress;

    @Override
    Integer call() throws IOException {
        if (!pasid && !pri && !ats) {
            throw new UsageException("nothing to place: give --pasid, --pri and/or --ats");
        }
        if (pasidWidth < 1 || pasidWidth > PasidSupport.MAX_WIDTH) {
            throw new UsageException("--pasid-width must be 1..20");
        }
        PoolPlanner.Options options = options(pasid, pri, ats, new PasidSupport(pasidWidth, exec, priv),
                CheckMigrationCommand.quirkTable(quirks));
        if (contractOut != null) {
            AtomicFile.checkWritable(contractOut);
        }
        PoolPlanner.PoolPlan plan;
        List<DeviceInputs.DeviceInput> inputs = DeviceInputs.expand(files, roots.host());
        Devices devices;
        // the contract and every verdict need the whole pool: the output comes after the last device
        try (Progress bar = Progress.over(err(), "pool", inputs, progress);
                Devices read = new Devices(inputs, bar)) {
            devices = read;
            plan = PoolPlanner.plan(read, options);
        }
        if (contractOut != null && plan.contract().isPresent()) {
            AtomicFile.write(contractOut, ContractCodec.write(plan.contract().get()));
        }
        List<PoolPlanner.Blocker> blockers = new ArrayList<>(plan.blockers());
        blockers.addAll(devices.notAssignable);
        blockers.sort(Comparator.comparingInt(b -> devices.inputOrder.get(b.device())));
        int read = plan.devices() + devices.notAssignable.size();
        if (json) {
            json(plan, read, blockers);
        } else {
            text(plan, read, blockers);
        }
        return plan.complete() && devices.notAssignable.isEmpty() ? ExitCodes.OK : ExitCodes.REFUSED;
    }

    /**
     * The planner's inputs for what the options ask: PRI's capacity 512 and ATS with QEMU's defaults,
     * the destination quirk table of {@code vcap check-migration}, the view of each device
     * check-migration reads (vfio-pci's, or the live region).
     */
    static PoolPlanner.Options options(boolean pasid, boolean pri, boolean ats, PasidSupport support, QuirkTable table) {
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
        return new PoolPlanner.Options(requests, PlacementOptions.defaults().withQuirks(table),
                new Admission.Options(support, table, HidingPolicy.defaults()), LiveViews::of);
    }

    private void text(PoolPlanner.PoolPlan plan, int read, List<PoolPlanner.Blocker> blockers) {
        PrintWriter out = out();
        out.printf("pool: %d devices; one contract fits %d%n", read, plan.core());
        for (Decision d : plan.decisions()) {
            out.println("  " + (d.placed() ? String.format("%s at 0x%03x (%s: %s)", d.capability(), d.offset().getAsInt(),
                    d.policy(), d.reason()) : d.capability() + " not exposed: " + d.reason()));
        }
        plan.contract().ifPresent(c -> out.println("  contract " + ContractCodec.digest(c)
                + (contractOut == null ? "" : " written to " + contractOut) + String.format(
                ", checked by admission on %d device%s (one per distinct class)", plan.verified(),
                plan.verified() == 1 ? "" : "s")));
        if (!blockers.isEmpty()) {
            out.printf("blocking: %d device%s (refused as vcap check-migration refuses them)%n", blockers.size(),
                    blockers.size() == 1 ? "" : "s");
            blockers.forEach(b -> out.println("  " + b.device() + ": refused " + CheckMigrationCommand.refusal(rule(b),
                    b.refusal())));
        }
        out.flush();
    }

    private void json(PoolPlanner.PoolPlan plan, int read, List<PoolPlanner.Blocker> blockers) throws IOException {
        try (JsonGenerator g = new JsonFactory().createGenerator(main.rawOut(), JsonEncoding.UTF8)) {
            g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            g.writeStartObject();
            g.writeNumberField("devices", read);
            g.writeNumberField("core", plan.core());
            g.writeBooleanField("complete", plan.complete() && read == plan.devices());
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
            for (PoolPlanner.Blocker b : blockers) {
                g.writeStartObject();
                g.writeStringField("device", b.device());
                g.writeStringField("rule", rule(b));
                g.writeNumberField("offset", b.refusal().offset());
                g.writeStringField("reason", b.refusal().reason());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeRaw('\n');
        }
    }

    /** The rule a blocker breaks, as check-migration names it: an admission rule, or NOT_ASSIGNABLE. */
    private static String rule(PoolPlanner.Blocker b) {
        return b.refusal().rule() == null ? CheckMigrationCommand.NOT_ASSIGNABLE : b.refusal().rule().name();
    }

    /**
     * Every device of the inputs that vfio-pci would bind, read one file after another; the others
     * (bridges) are kept aside as blockers. A dump too incomplete to stand for a device stops the
     * run as bad input.
     */
    private static final class Devices implements Iterator<DeviceImage>, AutoCloseable {
        private final Iterator<DeviceInputs.DeviceInput> files;
        private final Progress bar;
        private DeviceSource current;
        private DeviceImage pending;
        /** Blockers named as PoolPlanner names devices, {@code origin address}. */
        final List<PoolPlanner.Blocker> notAssignable = new ArrayList<>();
        /** Every device's name, in input order. */
        final Map<String, Integer> inputOrder = new HashMap<>();

        Devices(List<DeviceInputs.DeviceInput> files, Progress bar) {
            this.files = files.iterator();
            this.bar = bar;
        }

        @Override
        public boolean hasNext() {
            while (pending == null) {
                while (current == null || !current.hasNext()) {
                    closeCurrent();
                    if (!files.hasNext()) {
                        return false;
                    }
                    current = new PrefetchingSource(files.next().open(bar.reading()));
                }
                DeviceImage d = current.next();
                bar.device();
                DumpFormatException incomplete = DeviceChecks.incomplete(d);
                if (incomplete != null) {
                    throw incomplete;
                }
                String name = d.origin() + " " + d.address();
                inputOrder.put(name, inputOrder.size());
                String refusal = DeviceChecks.notAssignable(d);
                if (refusal != null) {
                    notAssignable.add(new PoolPlanner.Blocker(name, new Admission.Result.Refused(null,
                            Header.HEADER_TYPE, refusal)));
                } else {
                    pending = d;
                }
            }
            return true;
        }

        @Override
        public DeviceImage next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            DeviceImage d = pending;
            pending = null;
            return d;
        }

        private void closeCurrent() {
            if (current != null) {
                try {
                    current.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                current = null;
                bar.step();
            }
        }

        @Override
        public void close() {
            closeCurrent();
        }
    }
}
