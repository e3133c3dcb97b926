package dev.vcap.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.vcap.pci.analysis.DeviceAnalysis;
import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.Finding;
import dev.vcap.pci.config.DeviceImage;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code vcap inspect}: decode devices and report capabilities, findings, gaps and suspects. */
@Command(name = "inspect",
        mixinStandardHelpOptions = true,
        description = {
            "Decode config spaces: per device, the capabilities (space, offset, ID, name, version, length),",
            "what the chain walk found (loops, overlaps, truncation, ...), the gaps no capability owns,",
            "and the non-zero bytes inside gaps (candidates for hidden vendor registers).",
            "",
            "Reads lspci -x/-xxx/-xxxx text (many devices per file), binary config images (64, 256 or",
            "4096 bytes, e.g. a copy of /sys/bus/pci/devices/*/config), or the live sysfs tree.",
            "A directory stands for the dump files below it. A PCI address reads that live",
            "function: through its vfio config region (what a VMM sees) when vfio-pci owns it,",
            "else from sysfs (docs/LINUX.md)."},
        footer = {"", "Examples:",
            "  vcap inspect dump.lspci",
            "  vcap inspect --map ../shared/corpus/dumps/pciutils_dsa__6a-01.0__8086-0b25.lspci",
            "  vcap inspect --decode --sysfs 0000:00:02.0",
            "  vcap inspect 0000:03:00.0          # a vfio-pci function, as vfio shows it",
            "  vcap inspect --json dumps/ > devices.json",
            "",
            "JSON schema: docs/JSON.md. Exit codes: 0 ok, 2 usage, 3 bad input (named on stderr; the other",
            "files are still reported)."})
final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Mixin
    LiveRoots roots = new LiveRoots();

    @Parameters(paramLabel = "FILE", arity = "0..*",
            description = "Dump files, directories, or PCI addresses of live functions (03:00.0).")
    List<Path> files = new ArrayList<>();

    @Option(names = "--sysfs", arity = "0..1", paramLabel = "BDF", fallbackValue = "",
            description = "Read live devices from /sys/bus/pci/devices (all, or the one at BDF).")
    String sysfs;

    @Option(names = "--sysfs-root", paramLabel = "DIR", hidden = true, defaultValue = "/sys/bus/pci/devices")
    Path sysfsRoot;

    @Option(names = "--json", description = "Print JSON (schema in docs/JSON.md) instead of text.")
    boolean json;

    @Option(names = "--map", description = "Draw each device's config space as a text grid.")
    boolean map;

    @Option(names = "--decode", description = "Decode registers: the header's and each capability's fields by name.")
    boolean decode;

    @Override
    public Integer call() throws IOException {
        if (sysfs == null && files.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "give FILE arguments or --sysfs [BDF]");
        }
        if (sysfs != null && !files.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--sysfs reads live devices; it cannot be combined with FILE arguments");
        }
        PrintWriter err = spec.commandLine().getErr();
        List<String> errors = new ArrayList<>();
        try (Report report = json ? new JsonReport(main.rawOut(), decode) : new TextReport(spec.commandLine().getOut(), map, decode)) {
            if (sysfs != null) {
                SysfsReader reader = new SysfsReader(sysfsRoot);
                List<DeviceImage> devices = sysfs.isEmpty() ? reader.readAll() : List.of(reader.read(parseAddress(sysfs)));
                for (DeviceImage d : devices) {
                    report.device(DeviceAnalysis.of(d));
                }
            } else {
                for (DeviceInputs.DeviceInput input : DeviceInputs.expand(files, roots.host())) {
                    try (DeviceSource source = new PrefetchingSource(input.open())) {
                        while (source.hasNext()) {
                            report.device(DeviceAnalysis.of(source.next()));
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
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--sysfs: " + e.getMessage());
        }
    }

    private interface Report extends AutoCloseable {
        void device(DeviceAnalysis a) throws IOException;

        void error(DumpFormatException e) throws IOException;

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
        public void device(DeviceAnalysis a) throws IOException {
            g.writeRaw('\n');
            DeviceJson.device(g, a, decode);
        }

        @Override
        public void error(DumpFormatException e) {
            errors.add(e);
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
        public void device(DeviceAnalysis a) {
            DeviceImage d = a.device();
            out.printf("%s %s [%04x:%04x] (%d bytes, from %s)%n", d.address(), d.description(), d.vendorId(),
                    d.deviceId(), d.config().length(), d.origin());
            List<Capability> caps = a.chain().all().toList();
            if (caps.isEmpty()) {
                out.println("  capabilities: none");
            } else {
                out.println("  capabilities:");
                out.println("    space     offset  id      ver  length  name");
                for (Capability c : caps) {
                    out.printf("    %-8s  0x%03x   %-6s  %-3s  %-6s  %s%n", c.space().label(), c.offset(),
                            String.format(c.space() == dev.vcap.pci.capability.CapabilitySpace.STANDARD ? "0x%02x"
                                    : "0x%04x", c.id()), c.hasVersion() ? "v" + c.version() : "-",
                            c.length() + (c.lengthKnown() ? "" : "?"), c.name());
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
            if (decode) {
                Decoders.header(d.config()).ifPresent(h -> printFields("header", h.fields()));
                for (Capability c : caps) {
                    Decoders.view(d.config(), c, a.chain().traits())
                            .ifPresent(v -> printFields(String.format("%s @0x%03x", c.name(), c.offset()), v.fields()));
                }
            }
            if (map) {
                ConfigMapRenderer.render(a).forEach(line -> out.println("  " + line));
            }
            out.println();
        }

        private void printFields(String title, List<RegisterField> fields) {
            out.println("  " + title + ":");
            String register = null;
            for (RegisterField f : fields) {
                if (!f.register().equals(register)) {
                    register = f.register();
                    out.printf("    %s @0x%03x:%n", register, f.offset());
                }
                out.printf("      %-36s %s%n", f.field(), f.meaning());
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
        public void close() {
            out.flush();
        }
    }
}
