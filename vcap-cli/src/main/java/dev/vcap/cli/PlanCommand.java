package dev.vcap.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import dev.vcap.cli.args.CommandDef;
import dev.vcap.cli.args.UsageException;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.pci.dump.DeviceSource;
import dev.vcap.pci.dump.DumpFormatException;
import dev.vcap.pci.dump.LspciTextWriter;
import dev.vcap.vmm.emit.VmmTarget;
import dev.vcap.vmm.migration.Admission;
import dev.vcap.vmm.migration.ContractCodec;
import dev.vcap.vmm.migration.ContractFormatException;
import dev.vcap.vmm.migration.Contracts;
import dev.vcap.vmm.migration.LayoutContract;
import dev.vcap.vmm.placement.PlacementOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code vcap plan}: build each device's guest-visible config space and place PASID, PRI and ATS. */
final class PlanCommand extends Command {

    static final CommandDef<PlanCommand> DEF = CommandDef.of("plan", PlanCommand::new)
            .header("Build a guest's config space and place PASID, PRI and ATS.")
            .inDeclarationOrder()
            .description(
                "Build each device's guest-visible config space as a VMM does -- vfio-pci's",
                "view (Linux 6.15 hides PASID), then vcap's hiding policy (SR-IOV and ARI",
                "hidden, Resizable BAR virtualized) -- and place the synthesized capabilities",
                "through the policy chain: explicit offset, layout file, free ranges, quirk",
                "table, VF mirroring, DVSEC hint, gap search (docs/PLACEMENT.md).",
                "",
                "Prints the virtual layout (every guest-visible capability with its origin;",
                "what is hidden and why) and the decision record (per capability: offset or",
                "'not exposed', the deciding policy and reason, every policy's outcome, the",
                "rejected candidate runs).",
                "")
            .footer(
                "",
                "Examples:",
                "  vcap plan dsa.lspci --pasid --pri --ats",
                "  vcap plan dsa.lspci --pasid --pasid-offset 0x400 --emit guest.lspci",
                "  lspci -F guest.lspci -vvv",
                "  vcap plan vf.lspci --pasid --pf pf.lspci --quirks site-quirks.yaml",
                "  vcap plan dumps/ --pasid --compat qemu --json",
                "  vcap plan dsa.lspci --pasid --pri --contract dsa.contract.json",
                "  vcap plan dsa.lspci --pasid --emit-vmm qemu",
                "",
                "Exit codes: 0 every requested capability placed or deliberately not",
                "exposed; 2 usage or conflicting options; 3 bad input (a dump, quirk,",
                "layout or PF file, named on stderr); 4 refused (an explicit offset, a",
                "layout entry or a layout that does not describe the device; --emit then",
                "writes nothing, nor does --contract). See docs/CLI.md, docs/JSON.md and",
                "docs/CONTRACT.md.")
            .with(LiveRoots.OPTIONS, c -> c.roots)
            .param("FILE", 1, Integer.MAX_VALUE, "Dump files, directories, or PCI addresses of live functions.",
                    (c, v) -> c.files.add(Path.of(v)))
            .with(PlanOptions.OPTIONS, c -> c.placement)
            .option("--emit", "OUT", "Write every device's guest-visible config space as lspci -xxxx text (lspci -F OUT reads it).",
                    (c, v) -> c.emit = Path.of(v))
            .option("--contract", "OUT", "Write the planned layout as a migration contract (docs/CONTRACT.md);"
                    + " the inputs must hold exactly one device. vcap check-migration admits a destination against it.",
                    (c, v) -> c.contract = Path.of(v))
            .option("--emit-vmm", "VMM", "Print, instead of the plan, the VMM configuration that realizes it: qemu"
                    + " (-device vfio-pci) or libvirt (<hostdev>, <qemu:override>), with what the VMM cannot"
                    + " express as warnings beside it (docs/VMM-CONFIG.md). With --json: each device's vmm key.",
                    (c, v) -> c.emitVmm = VmmEmission.target(v))
            .flag("--json", "Print JSON (docs/JSON.md) instead of text.", c -> c.json = true)
            .flag("--progress", "Draw a progress bar on stderr even when it is not a terminal.", c -> c.progress = true);

    final LiveRoots roots = new LiveRoots();
    final List<Path> files = new ArrayList<>();
    final PlanOptions placement = new PlanOptions();
    Path emit;
    Path contract;
    VmmTarget emitVmm;
    boolean json;
    boolean progress;

    @Override
    Integer call() throws IOException {
        if (!placement.anyRequested()) {
            throw new UsageException("nothing to place: give --pasid, --pri and/or --ats");
        }
        PlanSettings settings = placement.resolve();
        for (Path output : new Path[] {emit, contract}) {
            if (output != null) {
                AtomicFile.checkWritable(output);
            }
        }
        List<DeviceInputs.DeviceInput> inputs = DeviceInputs.expand(files, roots.host());
        PrintWriter err = err();
        List<DumpFormatException> errors = new ArrayList<>();
        List<String> refusals = new ArrayList<>();
        Map<PciAddress, String> emitted = new HashMap<>();
        String duplicate = null;
        DevicePlan only = null;
        int planned = 0;
        DeviceClasses<Shared> classes = new DeviceClasses<>(d -> new Shared(DevicePlan.of(d, settings)));
        try (AtomicFile out = emit == null ? null : AtomicFile.create(emit);
                Report report = json ? new JsonReport(main.rawOut(), emitVmm, settings)
                        : emitVmm != null ? new VmmReport(new VmmEmission.TextReport(out(), emitVmm),
                                settings)
                        : new TextReport(out());
                Progress bar = Progress.over(err, "plan", inputs, progress)) {
            LspciTextWriter writer = out == null ? null : new LspciTextWriter(out.stream());
            OutputPace pace = new OutputPace(main, report::flush);
            for (DeviceInputs.DeviceInput input : inputs) {
                try (DeviceSource source = new PrefetchingSource(input.open(bar.reading()), pace::now)) {
                    while (source.hasNext()) {
                        DeviceImage next = source.next();
                        if (!DeviceChecks.usable(next, err, errors)) {
                            continue;
                        }
                        // --vf plans each function's VF, named and addressed after the function: nothing is shared
                        Shared shared = settings.vf() ? new Shared(DevicePlan.of(next, settings)) : classes.of(next);
                        DevicePlan p = settings.vf() ? shared.plan : shared.plan.forDevice(next);
                        report.device(p, shared);
                        bar.device();
                        pace.afterDevice();
                        only = planned++ == 0 ? p : null;
                        if (shared.refused) {
                            refusals.add(PlanText.refusals(p));
                        }
                        if (writer != null && p.vcs() != null) {
                            DeviceImage d = p.device();
                            String earlier = emitted.putIfAbsent(d.address(), d.origin());
                            if (earlier != null && duplicate == null) {
                                duplicate = String.format("--emit: %s is the address of two devices (%s and %s);"
                                        + " lspci -F and vcap read one device per address", d.address(), earlier,
                                        d.origin());
                            }
                            writer.write(new DeviceImage(d.address(), d.description(), p.guestImage(), d.origin()));
                        }
                    }
                } catch (DumpFormatException e) {
                    err.println("vcap: " + e.getMessage());
                    errors.add(e);
                }
                bar.step();
            }
            for (String r : refusals) {
                r.lines().forEach(line -> err.println("vcap: refused: " + line));
            }
            if (duplicate != null) {
                err.println("vcap: " + duplicate);
            }
            if (out != null) {
                if (errors.isEmpty() && refusals.isEmpty() && duplicate == null) {
                    out.commit();
                } else {
                    err.println("vcap: " + emit + " not written: " + (!refusals.isEmpty()
                            ? "a placement was refused" : "an input could not be used"));
                }
            }
        }
        if (!errors.isEmpty() || duplicate != null) {
            if (contract != null) {
                err.println("vcap: " + contract + " not written: an input could not be used");
            }
            return ExitCodes.BAD_INPUT;
        }
        if (contract != null) {
            String why = contractRefusal(planned, only);
            if (why != null) {
                err.println("vcap: " + contract + " not written: " + why);
                return planned == 1 ? ExitCodes.REFUSED : ExitCodes.USAGE;
            }
            // --compat qemu: the contract QEMU 11.0 would hold the destination to, its config[] under its rule
            byte[] document = ContractCodec.write(Contracts.export(only.vcs(),
                    settings.options().compat() == PlacementOptions.Compat.QEMU ? LayoutContract.Check.QEMU
                            : LayoutContract.Check.VCAP));
            String refusal = selfAdmission(document, only);
            if (refusal != null) {
                err.println("vcap: " + contract + " not written: vcap check-migration would refuse it on this very"
                        + " device: " + refusal);
                return ExitCodes.REFUSED;
            }
            AtomicFile.write(contract, document);
        }
        return refusals.isEmpty() ? ExitCodes.OK : ExitCodes.REFUSED;
    }

    /**
     * What {@code vcap check-migration} says of the contract against the device it was planned on,
     * with its defaults and this plan's quirk files: null when admitted, else the refusal as it
     * prints it. A plan never writes a contract its own device would be refused under.
     */
    private String selfAdmission(byte[] document, DevicePlan p) {
        LayoutContract written;
        try {
            written = ContractCodec.read(document);
        } catch (ContractFormatException e) {
            return "the contract cannot be trusted: " + e.getMessage();
        }
        Admission.Result r = Admission.admit(written, LiveViews.of(p.device()), CheckMigrationCommand.admissionOptions(
                written, LiveViews.hwInfo(p.device()), null, null, null, CheckMigrationCommand.quirkTable(placement.quirks)));
        return r instanceof Admission.Result.Refused f ? CheckMigrationCommand.refusal(f.rule().name(), f) : null;
    }

    /** Why the one planned device cannot become a contract, or null when it can. */
    private static String contractRefusal(int planned, DevicePlan p) {
        if (planned != 1) {
            return "the inputs hold " + planned + " devices; a contract describes one (vcap pool plans one"
                    + " contract for several)";
        }
        if (p.skipped() != null) {
            return "nothing was placed: " + p.skipped();
        }
        if (p.refusal() != null) {
            return p.refusal();
        }
        if (p.refused()) {
            return "a placement was refused";
        }
        return null;
    }

    /**
     * A plan shared by the devices of one class ({@link DeviceClasses}), with whether it is refused
     * and its output after the device's title, each found once.
     */
    private static final class Shared {
        final DevicePlan plan;
        final boolean refused;
        SerializableString json;
        String text;

        Shared(DevicePlan plan) {
            this.plan = plan;
            this.refused = plan.refused();
        }
    }

    private interface Report extends AutoCloseable {
        void device(DevicePlan p, Shared shared) throws IOException;

        /** Sends what was written so far on to standard output. */
        void flush() throws IOException;

        @Override
        void close() throws IOException;
    }

    /**
     * Streams {"devices":[...]}, one device per line. Inputs that cannot be read are named on stderr
     * (and make the exit code 3); the JSON holds only devices.
     */
    private static final class JsonReport implements Report {
        private final JsonGenerator g;
        private final VmmTarget vmm;
        private final PlanSettings settings;

        JsonReport(OutputStream out, VmmTarget vmm, PlanSettings settings) throws IOException {
            this.vmm = vmm;
            this.settings = settings;
            g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8);
            g.writeStartObject();
            g.writeArrayFieldStart("devices");
        }

        @Override
        public void device(DevicePlan p, Shared shared) throws IOException {
            g.writeRaw('\n');
            if (shared.json == null) {
                shared.json = PlanJson.body(p);
            }
            PlanJson.device(g, p, shared.json, vmm == null ? null
                    : gen -> VmmEmission.json(gen, vmm, VmmEmission.realize(p, settings, vmm)));
        }

        @Override
        public void flush() throws IOException {
            g.flush();
        }

        @Override
        public void close() throws IOException {
            g.writeEndArray();
            g.writeEndObject();
            g.writeRaw('\n');
            g.flush();
        }
    }

    private record VmmReport(VmmEmission.TextReport text, PlanSettings settings) implements Report {
        @Override
        public void device(DevicePlan p, Shared shared) {
            text.add(p, settings);
        }

        @Override
        public void flush() {
            // nothing yet: QEMU's arguments and libvirt's XML are written when the last device is in
        }

        @Override
        public void close() {
            text.close();
        }
    }

    private static final class TextReport implements Report {
        private final PrintWriter out;

        TextReport(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void device(DevicePlan p, Shared shared) {
            if (shared.text == null) {
                shared.text = PlanText.body(p);
            }
            out.println(DeviceTitle.of(p.device()));
            out.print(shared.text);
        }

        @Override
        public void flush() {
            out.flush();
        }

        @Override
        public void close() {
            out.flush();
        }
    }
}
