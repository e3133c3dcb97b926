package dev.vcap.kernel.harness;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The host side of kernel/harness.sh: reads what each guest left in its results directory (the
 * JUnit Platform's XML report of the real-kernel suite, the guest's own exit status), asserts that
 * the guest finished and every test passed, prints one line per test with what it did (its report
 * entries, or why it failed), and ends with {@code N passed, N failed}. Exit status 0 only when
 * something ran and nothing failed.
 *
 * <p>Usage: {@code HarnessReport RESULTS_DIR...} (one directory per kernel, as kernel/vm.sh fills it).
 */
public final class HarnessReport {

    /** One check's outcome. */
    public record Outcome(String name, boolean passed, String detail) {
    }

    private final PrintStream out;
    private int passed;
    private int failed;

    public HarnessReport(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: HarnessReport RESULTS_DIR...");
            System.exit(2);
        }
        HarnessReport r = new HarnessReport(System.out);
        for (String a : args) {
            r.kernel(Path.of(a));
        }
        System.exit(r.summary() ? 0 : 1);
    }

    /** Prints the final line; true when nothing failed. */
    public boolean summary() {
        out.println(passed + " passed, " + failed + " failed");
        return failed == 0 && passed > 0;
    }

    public int passed() {
        return passed;
    }

    public int failed() {
        return failed;
    }

    /** Reads and checks one guest's results. */
    public void kernel(Path dir) {
        String release = read(dir.resolve("kernel-release")).map(String::trim).orElse("?");
        String seconds = read(dir.resolve("junit/seconds")).map(String::trim).orElse("?");
        out.println("== kernel " + release + " (" + dir.getFileName() + "), suite " + seconds + " s");
        if (read(dir.resolve("status")).isEmpty()) {
            record(new Outcome("guest", false, "the guest never finished; console tail:\n"
                    + tail(dir.resolve("console.log"), 15)));
            return;
        }
        Path xml = dir.resolve("junit/TEST-junit-jupiter.xml");
        if (!Files.isRegularFile(xml)) {
            record(new Outcome("suite", false, "the JUnit suite left no report; its console:\n"
                    + tail(dir.resolve("junit/console.txt"), 20)));
        } else {
            List<Outcome> tests = parseJunit(xml);
            if (tests.isEmpty()) {
                record(new Outcome("suite", false, "the JUnit report lists no test"));
            }
            tests.forEach(this::record);
        }
    }

    private void record(Outcome o) {
        if (o.passed()) {
            passed++;
        } else {
            failed++;
        }
        out.println((o.passed() ? "  pass  " : "  FAIL  ") + o.name());
        if (!o.detail().isBlank()) {
            for (String line : o.detail().strip().split("\n")) {
                out.println("          " + line);
            }
        }
    }

    /**
     * The test cases of a JUnit Platform legacy XML report: a case passes when it has no failure,
     * error or skip (inside the harness a skip means something the test needs is missing). The
     * detail is the failure's message, or the test's report entries: what it did.
     */
    public static List<Outcome> parseJunit(Path xml) {
        try {
            var f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            var doc = f.newDocumentBuilder().parse(xml.toFile());
            NodeList cases = doc.getElementsByTagName("testcase");
            List<Outcome> out = new ArrayList<>();
            for (int i = 0; i < cases.getLength(); i++) {
                Element tc = (Element) cases.item(i);
                String cls = tc.getAttribute("classname");
                String name = cls.substring(cls.lastIndexOf('.') + 1) + " > " + displayName(tc);
                Element bad = first(tc, "failure", "error", "skipped");
                if (bad != null) {
                    String msg = bad.getAttribute("message");
                    String kind = bad.getTagName().equals("skipped") ? "skipped inside the harness: " : "";
                    out.add(new Outcome(name, false, kind + (msg.isBlank() ? bad.getTextContent() : msg)));
                } else {
                    out.add(new Outcome(name, true, reportEntries(tc)));
                }
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(xml + ": not a JUnit XML report: " + e.getMessage(), e);
        }
    }

    private static String displayName(Element tc) {
        for (String line : systemOut(tc).split("\n")) {
            if (line.startsWith("display-name: ")) {
                String[] parts = line.substring("display-name: ".length()).split(" > ");
                return String.join(" > ", List.of(parts).subList(Math.min(2, parts.length - 1), parts.length));
            }
        }
        return tc.getAttribute("name");
    }

    private static String systemOut(Element tc) {
        StringBuilder b = new StringBuilder();
        NodeList kids = tc.getChildNodes();
        for (int i = 0; i < kids.getLength(); i++) {
            if (kids.item(i) instanceof Element e && e.getTagName().equals("system-out")) {
                b.append(e.getTextContent()).append('\n');
            }
        }
        return b.toString();
    }

    /**
     * The test's report entries ({@code TestReporter.publishEntry}): each {@code key: value} line,
     * and the following lines of a value that spans several.
     */
    private static String reportEntries(Element tc) {
        StringBuilder b = new StringBuilder();
        boolean inEntry = false;
        for (String line : systemOut(tc).split("\n")) {
            if (line.startsWith("Report Entry #")) {
                inEntry = true;
            } else if (line.startsWith("\t- ")) {
                b.append(line.substring(3).stripTrailing()).append('\n');
            } else if (inEntry && !line.isBlank()) {
                b.append("  ").append(line).append('\n');
            }
        }
        return b.toString();
    }

    private static Element first(Element parent, String... tags) {
        for (String t : tags) {
            NodeList l = parent.getElementsByTagName(t);
            if (l.getLength() > 0) {
                return (Element) l.item(0);
            }
        }
        return null;
    }

    private static Optional<String> read(Path p) {
        try {
            return Files.isRegularFile(p) ? Optional.of(Files.readString(p, StandardCharsets.UTF_8)) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String tail(Path p, int lines) {
        List<String> all = read(p).map(s -> List.of(s.split("\n"))).orElse(List.of("(" + p + " is missing)"));
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
