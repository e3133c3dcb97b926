package dev.vcap.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import dev.vcap.cli.args.CommandDef;
import dev.vcap.cli.args.UsageException;
import dev.vcap.pci.analysis.DeviceAnalysis;
import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.Finding;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.Hex;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.pci.decode.Decoders;
import dev.vcap.pci.decode.RegisterField;
import dev.vcap.pci.dump.DeviceSource;
import dev.vcap.pci.dump.DumpFormatException;
import dev.vcap.pci.dump.SysfsReader;
import dev.vcap.pci.occupancy.ByteRange;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** {@code vcap inspect}: decode devices and report capabilities, findings, gaps and suspects. */
final class InspectCommand extends Command {

    static final CommandDef<InspectCommand> DEF = CommandDef.of("inspect", InspectCommand::new)
            .header("Decode config spaces: capabilities, findings, gaps, suspects.")
            .description(
                "Decode config spaces: per device, the capabilities (space, offset, ID, name, version,",
                "length), what the chain walk found (loops, overlaps, truncation, ...), the gaps no",
                "capability owns, and the non-zero bytes inside gaps (candidates for hidden vendor",
                "registers).",
                "",
                "Reads lspci -x/-xxx/-xxxx text (many devices per file), binary config images (64,",
                "256 or 4096 bytes, e.g. a copy of /sys/bus/pci/devices/*/config), or the live sysfs",
                "tree. A directory stands for the dump files below it. A PCI address reads that live",
                "function: through its vfio config region (what a VMM sees) when vfio-pci owns it,",
                "else from sysfs (docs/LINUX.md).")
            .footer("", "Examples:",
                "  vcap inspect dump.lspci",
                "  D=../shared/corpus/dumps/pciutils_pri-pasid__6a-01.0__8086-0b25.lspci",
                "  vcap inspect --map $D",
                "  vcap inspect --decode --sysfs 0000:00:02.0",
                "  vcap inspect 0000:03:00.0          # a vfio-pci function, as vfio shows it",
                "  vcap inspect --json dumps/ > devices.json",
                "",
                "JSON schema: docs/JSON.md. Exit codes: 0 ok, 2 usage, 3 bad input (named on",
                "stderr; the other files are still reported).")
            .with(LiveRoots.OPTIONS, c -> c.roots)
            .param("FILE", 0, Integer.MAX_VALUE,
                    "Dump files, directories, or PCI addresses of live functions (03:00.0).",
                    (c, v) -> c.files.add(Path.of(v)))
            .optionalValue("--sysfs", "BDF", "Read live devices from /sys/bus/pci/devices (all, or the one at BDF).",
                    (c, v) -> c.sysfs = v)
            .hidden("--sysfs-root", "DIR", (c, v) -> c.sysfsRoot = Path.of(v))
            .flag("--json", "Print JSON (schema in docs/JSON.md) instead of text.", c -> c.json = true)
            .flag("--map", "Draw each device's config space as a text grid.", c -> c.map = true)
            .flag("--decode", "Decode registers: the header's and each capability's fields by name.",
                    c -> c.decode = true);

    final LiveRoots roots = new LiveRoots();
    final List<Path> files = new ArrayList<>();
    String sysfs;
    Path sysfsRoot = Path.of("/sys/bus/pci/devices");
    boolean json;
    boolean map;
    boolean decode;

    @Override
    Integer call() throws IOException {
        if (sysfs == null && files.isEmpty()) {
            throw new UsageException("give FILE arguments or --sysfs [BDF]");
        }
        if (sysfs != null && !files.isEmpty()) {
            throw new UsageException("--sysfs reads live devices; it cannot be combined with FILE arguments");
        }
        PrintWriter err = err();
        List<String> errors = new ArrayList<>();
        DeviceClasses<Shared> classes = new DeviceClasses<>(d -> new Shared(DeviceAnalysis.of(d)));
        try (Report report = json ? new JsonReport(main.rawOut(), decode) : new TextReport(out(), map, decode)) {
            if (sysfs != null) {
                SysfsReader reader = new SysfsReader(sysfsRoot);
                List<DeviceImage> devices = sysfs.isEmpty() ? reader.readAll() : List.of(reader.read(parseAddress(sysfs)));
                for (DeviceImage d : devices) {
                    report.device(d, classes.of(d));
                }
            } else {
                OutputPace pace = new OutputPace(main, report::flush);
                for (DeviceInputs.DeviceInput input : DeviceInputs.expand(files, roots.host())) {
                    try (DeviceSource source = new PrefetchingSource(input.open(), pace::now)) {
                        while (source.hasNext()) {
                            DeviceImage d = source.next();
                            report.device(d, classes.of(d));
                            pace.afterDevice();
                        }
                    } catch (DumpFormatException e) {
                        err.println("vcap: " + e.getMessage());
                        errors.add(e.getMessage());
                        report.error(e);
                    }
                }
            }
        }
        return errors.isEmpty() ? ExitCodes.OK : ExitCodes.BAD_INPUT;
    }

    private PciAddress parseAddress(String text) {
        try {
            return PciAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--sysfs: " + e.getMessage());
        }
    }

    /**
     * The analysis of a class of devices with identical bytes ({@link DeviceClasses}), and its report
     * after the device's identity, written once, the first time a report needs it.
     */
    private static final class Shared {
        final DeviceAnalysis analysis;
        SerializableString json;
        String text;

        Shared(DeviceAnalysis analysis) {
            this.analysis = analysis;
        }
    }

    private interface Report extends AutoCloseable {
        void device(DeviceImage d, Shared shared) throws IOException;

        void error(DumpFormatException e) throws IOException;

        /** Sends what was written so far on to standard output. */
        void flush() throws IOException;

        @Override
        void close() throws IOException;
    }

    /** Streams {"devices":[...],"errors":[...]} to standard output, one device per line. */
    private static final class JsonReport implements Report {
        private final JsonGenerator g;
        private final boolean decode;
        private final List<DumpFormatException> errors = new ArrayList<>();

        JsonReport(OutputStream out, boolean decode) throws IOException {
            this.decode = decode;
            g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8);
            g.writeStartObject();
            g.writeArrayFieldStart("devices");
        }

        @Override
        public void device(DeviceImage d, Shared shared) throws IOException {
            g.writeRaw('\n');
            if (shared.json == null) {
                shared.json = DeviceJson.body(shared.analysis, decode);
            }
            DeviceJson.device(g, d, shared.json);
        }

        @Override
        public void error(DumpFormatException e) {
            errors.add(e);
        }

        @Override
        public void flush() throws IOException {
            g.flush();
        }

        @Override
        public void close() throws IOException {
            g.writeEndArray();
            DeviceJson.errors(g, errors);
            g.writeEndObject();
            g.writeRaw('\n');
            g.flush();
        }
    }

    /** The human report. */
    private static final class TextReport implements Report {
        private final PrintWriter out;
        private final boolean map;
        private final boolean decode;

        TextReport(PrintWriter out, boolean map, boolean decode) {
            this.out = out;
            this.map = map;
            this.decode = decode;
        }

        @Override
        public void device(DeviceImage d, Shared shared) {
            out.println(DeviceTitle.of(d));
            if (shared.text == null) {
                StringWriter text = new StringWriter();
                PrintWriter body = new PrintWriter(text);
                body(body, shared.analysis);
                body.flush();
                shared.text = text.toString();
            }
            out.print(shared.text);
        }

        /** Everything after the title: what the bytes alone decide. */
        private void body(PrintWriter out, DeviceAnalysis a) {
            DeviceImage d = a.device();
            List<Capability> caps = a.chain().all().toList();
            if (caps.isEmpty()) {
                out.println("  capabilities: none");
            } else {
                out.println("  capabilities:");
                out.println("    space     offset  id      ver  length  name");
                for (Capability c : caps) {
                    String id = "0x" + Hex.padded(c.id(),
                            c.space() == dev.vcap.pci.capability.CapabilitySpace.STANDARD ? 2 : 4);
                    out.println("    " + Columns.left(c.space().label(), 8) + "  0x" + Hex.padded(c.offset(), 3) + "   "
                            + Columns.left(id, 6) + "  " + Columns.left(c.hasVersion() ? "v" + c.version() : "-", 3)
                            + "  " + Columns.left(c.length() + (c.lengthKnown() ? "" : "?"), 6) + "  " + c.name());
                }
            }
            if (!a.chain().findings().isEmpty()) {
                out.println("  findings:");
                for (Finding f : a.chain().findings()) {
                    out.println("    " + f);
                }
            }
            out.println("  gaps: " + describe(a.occupancy().gaps()));
            List<ByteRange> suspicious = a.occupancy().nonZeroInGaps();
            out.println("  non-zero bytes in gaps: " + (suspicious.isEmpty() ? "none" : describe(suspicious)));
            if (decode && !a.chain().undecodable()) {
                Decoders.header(d.config()).ifPresent(h -> printFields(out, "header", h.fields()));
                for (Capability c : caps) {
                    Decoders.view(d.config(), c, a.chain().traits())
                            .ifPresent(v -> printFields(out, c.name() + " @0x" + Hex.padded(c.offset(), 3), v.fields()));
                }
            }
            if (map) {
                ConfigMapRenderer.render(a).forEach(line -> out.println("  " + line));
            }
            out.println();
        }

        private static void printFields(PrintWriter out, String title, List<RegisterField> fields) {
            out.println("  " + title + ":");
            String register = null;
            for (RegisterField f : fields) {
                if (!f.register().equals(register)) {
                    register = f.register();
                    out.println("    " + register + " @0x" + Hex.padded(f.offset(), 3) + ":");
                }
                out.println("      " + Columns.left(f.field(), 36) + " " + f.meaning());
            }
        }

        private static String describe(List<ByteRange> ranges) {
            if (ranges.isEmpty()) {
                return "none";
            }
            return ranges.stream().map(r -> r + " (" + r.length() + ")").collect(Collectors.joining(", "));
        }

        @Override
        public void error(DumpFormatException e) {
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
