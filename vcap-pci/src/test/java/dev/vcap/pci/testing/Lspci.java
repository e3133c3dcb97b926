package dev.vcap.pci.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs pciutils' {@code lspci -F FILE -vvv} and parses its {@code Capabilities:} lines: the oracle
 * for golden tests. Tests call {@link #require()}, which skips when lspci is not installed.
 */
public final class Lspci {

    /** One {@code Capabilities: [off vN] text} line. */
    public record Line(boolean extended, int offset, int version, String text) {
    }

    private static final Pattern CAP = Pattern.compile("^\\tCapabilities: \\[([0-9a-f]+)(?: v(\\d+))?\\] (.*)$");
    private static Boolean available;

    private Lspci() {
    }

    public static synchronized boolean available() {
        if (available == null) {
            try {
                Process p = new ProcessBuilder("lspci", "--version").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                available = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException | InterruptedException e) {
                available = false;
            }
        }
        return available;
    }

    /** Skips the calling test when lspci is missing. */
    public static void require() {
        assumeTrue(available(), "lspci (pciutils) not installed; skipping the pciutils golden test");
    }

    private static final java.util.Map<Path, String> VERBOSE = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The full {@code lspci -F file -vvv} output, run once per file per test JVM (several golden
     * tests read the same corpus).
     */
    public static String verbose(Path file) throws IOException, InterruptedException {
        Path key = file.toAbsolutePath().normalize();
        String cached = VERBOSE.get(key);
        if (cached == null) {
            cached = run(key);
            VERBOSE.put(key, cached);
        }
        return cached;
    }

    private static String run(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("lspci", "-F", file.toString(), "-vvv")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("lspci timed out on " + file);
        }
        return out;
    }

    /** The full {@code lspci -D -vvv} output of the live machine. */
    public static String verboseLive() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("lspci", "-D", "-vvv").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("lspci timed out");
        }
        return out;
    }

    /** The address at the start of each device block, in output order (lspci -D). */
    public static List<String> addresses(String output) {
        List<String> out = new ArrayList<>();
        for (String line : output.split("\n", -1)) {
            if (!line.isEmpty() && !Character.isWhitespace(line.charAt(0))) {
                out.add(line.substring(0, Math.max(0, line.indexOf(' '))));
            }
        }
        return out;
    }

    /**
     * One capability as lspci prints it: its {@code Capabilities:} line and the more indented
     * lines under it (the decoded registers), joined by newlines.
     */
    public record Block(boolean extended, int offset, int version, String text) {
    }

    /** Capability blocks per device, in order of the devices in the output. */
    public static List<List<Block>> blocks(String output) {
        List<List<Block>> devices = new ArrayList<>();
        List<Block> current = null;
        StringBuilder text = null;
        Matcher head = null;
        for (String line : (output + "\n").split("\n", -1)) {
            boolean deviceLine = !line.isEmpty() && !Character.isWhitespace(line.charAt(0));
            Matcher m = CAP.matcher(line);
            boolean capLine = m.matches();
            boolean ends = deviceLine || capLine || line.isEmpty() || (line.startsWith("\t") && !line.startsWith("\t\t"));
            if (ends && head != null) {
                boolean ext = head.group(2) != null;
                current.add(new Block(ext, Integer.parseInt(head.group(1), 16), ext ? Integer.parseInt(head.group(2)) : -1,
                        text.toString()));
                head = null;
            }
            if (deviceLine) {
                current = new ArrayList<>();
                devices.add(current);
            } else if (capLine && current != null && !m.group(3).startsWith("<")) {
                head = m;
                text = new StringBuilder(line);
            } else if (head != null) {
                text.append('\n').append(line);
            }
        }
        return devices;
    }

    /**
     * The output split per device: each element holds one device's lines, its header line
     * ({@code bb:dd.f description}) first.
     */
    public static List<List<String>> devices(String output) {
        List<List<String>> devices = new ArrayList<>();
        List<String> current = null;
        for (String line : output.split("\n", -1)) {
            if (!line.isEmpty() && !Character.isWhitespace(line.charAt(0))) {
                current = new ArrayList<>();
                devices.add(current);
            }
            if (current != null && !line.isEmpty()) {
                current.add(line);
            }
        }
        return devices;
    }

    /** Capability lines per device, in order of the devices in the output. */
    public static List<List<Line>> capabilities(String output) {
        List<List<Line>> devices = new ArrayList<>();
        List<Line> current = null;
        for (String line : output.split("\n", -1)) {
            if (!line.isEmpty() && !Character.isWhitespace(line.charAt(0))) {
                current = new ArrayList<>();
                devices.add(current);
                continue;
            }
            Matcher m = CAP.matcher(line);
            if (m.matches() && current != null) {
                String text = m.group(3);
                if (text.startsWith("<chain") || text.startsWith("<access")) {
                    continue; // not a capability: pciutils' marker for a broken walk
                }
                boolean extended = m.group(2) != null;
                current.add(new Line(extended, Integer.parseInt(m.group(1), 16),
                        extended ? Integer.parseInt(m.group(2)) : -1, text));
            }
        }
        return devices;
    }

    /**
     * The capability IDs pciutils 3.9 may mean by a line's text (two when the text is ambiguous), or
     * null when it printed no text (a capability whose body lies past the end of a partial dump).
     */
    @SuppressWarnings("unchecked")
    public static Set<Integer> ids(Line line) {
        String t = line.text();
        if (t.isEmpty()) {
            return null; // pciutils printed no text: the body was not captured, so the ID is not stated
        }
        if (line.extended()) {
            Matcher unknown = Pattern.compile("^Extended Capability ID 0x([0-9a-f]+)").matcher(t);
            if (unknown.find()) {
                return Set.of(Integer.parseInt(unknown.group(1), 16));
            }
            for (Object[] alias : EXTENDED) {
                if (t.startsWith((String) alias[0])) {
                    return (Set<Integer>) alias[1];
                }
            }
        } else {
            Matcher unknown = Pattern.compile("^#([0-9a-f]{2}) \\[").matcher(t);
            if (unknown.find()) {
                return Set.of(Integer.parseInt(unknown.group(1), 16));
            }
            for (Object[] alias : STANDARD) {
                if (t.startsWith((String) alias[0])) {
                    return (Set<Integer>) alias[1];
                }
            }
        }
        throw new IllegalArgumentException("unrecognised lspci capability text: " + t);
    }

    // Longest prefixes first where one prefixes another.
    private static final Object[][] STANDARD = {
        {"Power Management", Set.of(0x01)}, {"AGP version", Set.of(0x02)}, {"Vital Product Data", Set.of(0x03)},
        {"Slot ID", Set.of(0x04)}, {"MSI-X", Set.of(0x11)}, {"MSI", Set.of(0x05)},
        {"CompactPCI hot-swap", Set.of(0x06)}, {"PCI-X", Set.of(0x07)}, {"HyperTransport", Set.of(0x08)},
        {"Vendor Specific Information", Set.of(0x09)}, {"Debug port", Set.of(0x0A)},
        {"CompactPCI central resource control", Set.of(0x0B)}, {"Hot-plug capable", Set.of(0x0C)},
        {"Subsystem", Set.of(0x0D)}, {"AGP3", Set.of(0x0E)}, {"Secure device", Set.of(0x0F)},
        {"Express", Set.of(0x10)}, {"SATA HBA", Set.of(0x12)}, {"PCI Advanced Features", Set.of(0x13)},
        {"Enhanced Allocation", Set.of(0x14)},
    };

    private static final Object[][] EXTENDED = {
        {"Null", Set.of(0x00)}, {"Advanced Error Reporting", Set.of(0x01)},
        {"Multi-Function Virtual Channel", Set.of(0x08)}, {"Virtual Channel", Set.of(0x02, 0x09)},
        {"Device Serial Number", Set.of(0x03)}, {"Power Budgeting", Set.of(0x04)},
        {"Root Complex Link", Set.of(0x05)}, {"Root Complex Internal Link", Set.of(0x06)},
        {"Root Complex Event Collector", Set.of(0x07)}, {"Root Complex Register Block", Set.of(0x0A)},
        {"Vendor Specific Information", Set.of(0x0B)}, {"Access Control Services", Set.of(0x0D)},
        {"Alternative Routing-ID Interpretation", Set.of(0x0E)}, {"Address Translation Service", Set.of(0x0F)},
        {"Single Root I/O Virtualization", Set.of(0x10)}, {"Multi-Root I/O Virtualization", Set.of(0x11)},
        {"Multicast", Set.of(0x12)}, {"Page Request Interface", Set.of(0x13)},
        {"Physical Resizable BAR", Set.of(0x15)}, {"Resizable BAR", Set.of(0x15)},
        {"Dynamic Power Allocation", Set.of(0x16)}, {"Transaction Processing Hints", Set.of(0x17)},
        {"Latency Tolerance Reporting", Set.of(0x18)}, {"Secondary PCI Express", Set.of(0x19)},
        {"Protocol Multiplexing", Set.of(0x1A)}, {"Process Address Space ID", Set.of(0x1B)},
        {"LN Requester", Set.of(0x1C)}, {"Downstream Port Containment", Set.of(0x1D)},
        {"L1 PM Substates", Set.of(0x1E)}, {"Precision Time Measurement", Set.of(0x1F)},
        {"PCI Express over M_PHY", Set.of(0x20)}, {"FRS Queueing", Set.of(0x21)},
        {"Readiness Time Reporting", Set.of(0x22)}, {"Designated Vendor-Specific", Set.of(0x23)},
        {"VF Resizable BAR", Set.of(0x24)}, {"Data Link Feature", Set.of(0x25)},
        {"Physical Layer 16.0 GT/s", Set.of(0x26)}, {"Lane Margining at the Receiver", Set.of(0x27)},
        {"Hierarchy ID", Set.of(0x28)}, {"Native PCIe Enclosure Management", Set.of(0x29)},
        {"Physical Layer 32.0 GT/s", Set.of(0x2A)}, {"Data Object Exchange", Set.of(0x2E)},
        {"Integrity & Data Encryption", Set.of(0x30)}, {"Physical Layer 64.0 GT/s", Set.of(0x31)},
    };
}
