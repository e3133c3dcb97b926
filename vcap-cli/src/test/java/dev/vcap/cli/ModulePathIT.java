package dev.vcap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.cli.ChildJvm.Run;

import dev.vcap.linux.testing.FakeSysfs;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jars as Java modules: each descriptor is what docs/ARCHITECTURE.md's module table
 * says, requires what jdeps finds used, the modules that need native access are those jnativescan
 * finds; and the CLI runs on the module path ({@code java -p ... -m dev.vcap.cli}) with native
 * access granted by module name, refused to every other module, and no warning.
 */
class ModulePathIT {

    static final Path JAR = Path.of("target", "vcap-cli.jar");
    static final Path LIB = Path.of("target", "lib");
    static final Path DOC = Path.of("..", "docs", "ARCHITECTURE.md");
    static final Pattern CODE = Pattern.compile("`([^`]+)`");

    @TempDir
    static Path tmp;

    static Path dump;

    /** One row of the module table: each set holds the cell's code spans as written. */
    record Row(String module, Set<String> requires, Set<String> exports, boolean nativeAccess) {
    }

    @BeforeAll
    static void writeDump() throws IOException {
        dump = ChildJvm.dsaDump(tmp);
    }

    static String modulePath() {
        return JAR.toAbsolutePath() + File.pathSeparator + LIB.toAbsolutePath();
    }

    /** The rows of the table under "## Java modules" in docs/ARCHITECTURE.md, by module. */
    static Map<String, Row> documented() throws IOException {
        String doc = Files.readString(DOC);
        int at = doc.indexOf("\n## Java modules\n");
        assertThat(at).as("docs/ARCHITECTURE.md has a Java modules section").isPositive();
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String line : doc.substring(at).lines().takeWhile(l -> !l.startsWith("- ")).toList()) {
            if (!line.startsWith("| `dev.vcap.")) {
                continue;
            }
            String[] cells = line.split("\\|");
            assertThat(cells).as("a module row has 5 cells: %s", line).hasSize(6);
            String module = codes(cells[1]).iterator().next();
            rows.put(module, new Row(module, codes(cells[3]), codes(cells[4]), cells[5].strip().equals("yes")));
        }
        assertThat(rows).as("module rows in docs/ARCHITECTURE.md").isNotEmpty();
        return rows;
    }

    static Set<String> codes(String cell) {
        return CODE.matcher(cell).results().map(m -> m.group(1)).collect(Collectors.toCollection(TreeSet::new));
    }

    /** vcap's modules among the packaged jars, by name. */
    static Map<String, ModuleDescriptor> built() {
        Map<String, ModuleDescriptor> out = new TreeMap<>();
        for (ModuleReference m : ModuleFinder.of(JAR, LIB).findAll()) {
            if (m.descriptor().name().startsWith("dev.vcap.")) {
                out.put(m.descriptor().name(), m.descriptor());
            }
        }
        return out;
    }

    /** A descriptor's requires as the table writes them: {@code transitive NAME} or {@code NAME}. */
    static Set<String> requires(ModuleDescriptor d) {
        return d.requires().stream().filter(r -> !r.modifiers().contains(ModuleDescriptor.Requires.Modifier.MANDATED))
                .map(r -> r.modifiers().stream().map(m -> m.toString().toLowerCase() + " ").sorted()
                        .collect(Collectors.joining()) + r.name())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Exports and opens as the table writes them: {@code PACKAGE}, {@code PACKAGE to MODULE}, {@code opens ...}. */
    static Set<String> exports(ModuleDescriptor d) {
        Set<String> out = new TreeSet<>();
        d.exports().forEach(e -> out.add(e.source() + (e.isQualified() ? " to " + String.join(", ", e.targets()) : "")));
        d.opens().forEach(o -> out.add("opens " + o.source() + (o.isQualified() ? " to " + String.join(", ",
                o.targets()) : "")));
        return out;
    }

    static String tool(String name, String... args) {
        ToolProvider tool = ToolProvider.findFirst(name).orElseThrow(() -> new AssertionError(name + " is not in this JDK"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = tool.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
                StandardCharsets.UTF_8), args);
        assertThat(rc).as("%s %s: %s", name, String.join(" ", args), err.toString(StandardCharsets.UTF_8)).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everyModuleIsAsTheArchitectureTableSays() throws IOException {
        Map<String, Row> doc = documented();
        Map<String, ModuleDescriptor> built = built();
        assertThat(built.keySet()).as("vcap's modules in %s and %s", JAR, LIB).containsExactlyInAnyOrderElementsOf(
                doc.keySet());
        for (ModuleDescriptor d : built.values()) {
            Row row = doc.get(d.name());
            assertThat(requires(d)).as("requires of %s", d.name()).isEqualTo(row.requires());
            assertThat(exports(d)).as("exports and opens of %s", d.name()).isEqualTo(row.exports());
        }
    }

    /** jdeps --check prints, per module, the descriptor its classes need; vcap's say exactly that. */
    @Test
    void everyModuleRequiresWhatItUses() {
        Map<String, ModuleDescriptor> built = built();
        String check = tool("jdeps", "--multi-release", "25", "--module-path", modulePath(), "--check",
                String.join(",", built.keySet()));
        Matcher block = Pattern.compile("\\[Suggested module descriptor for ([\\w.]+)]\\n((?:\\s+requires [^\\n]+\\n)*)")
                .matcher(check);
        Map<String, Set<String>> suggested = new TreeMap<>();
        while (block.find()) {
            suggested.put(block.group(1), block.group(2).lines().map(String::strip)
                    .filter(l -> !l.startsWith("requires mandated")).map(l -> l.replaceAll("^requires |;$", ""))
                    .collect(Collectors.toCollection(TreeSet::new)));
        }
        assertThat(suggested.keySet()).as("jdeps --check output:%n%s", check).isEqualTo(built.keySet());
        built.values().forEach(d -> assertThat(requires(d)).as("requires of %s against jdeps:%n%s", d.name(), check)
                .isEqualTo(suggested.get(d.name())));
    }

    @Test
    void theModulesThatNeedNativeAccessAreThoseJnativescanFinds() throws IOException {
        Set<String> found = Set.of(tool("jnativescan", "--module-path", modulePath(), "--add-modules", "dev.vcap.cli",
                "--print-native-access").strip().split(","));
        Set<String> documented = documented().values().stream().filter(Row::nativeAccess).map(Row::module)
                .collect(Collectors.toSet());
        assertThat(documented).as("the native access column of docs/ARCHITECTURE.md").isEqualTo(found);
    }

    /** The CLI from the module path, native access granted to exactly the documented modules. */
    static Run vcap(String... args) throws IOException, InterruptedException {
        String granted = documented().values().stream().filter(Row::nativeAccess).map(Row::module)
                .collect(Collectors.joining(","));
        return ChildJvm.java(tmp, List.of("--enable-native-access=" + granted, "--illegal-native-access=deny",
                "--module-path", modulePath(), "-m", "dev.vcap.cli"), args);
    }

    @Test
    void theCliRunsOnTheModulePath() throws Exception {
        Run help = vcap("--help");
        assertThat(help.exitCode()).as(help.err()).isZero();
        assertThat(help.out()).startsWith("Usage: vcap").contains("plan").contains("simulate");
        assertThat(help.err()).isEmpty();
        String version = built().get("dev.vcap.cli").rawVersion().orElseThrow();
        assertThat(vcap("--version").out()).as("the version is the module's").startsWith("vcap " + version + "\n");

        // the contract codec (Jackson) both ways, placement with the quirk table (SnakeYAML), the emitter
        Run plan = vcap("plan", dump.toString(), "--pasid", "--pri", "--contract", "c.json", "--emit-vmm", "qemu");
        assertThat(plan.exitCode()).as(plan.err()).isZero();
        assertThat(plan.out()).contains("-device vfio-pci,host=0000:01:00.0,iommufd=iommufd0,x-vpasid-cap-offset=0x");
        Run admitted = vcap("check-migration", "c.json", dump.toString(), "--json");
        assertThat(admitted.out()).as(admitted.err()).contains("\"admitted\":true");
        Run sim = vcap("simulate");
        assertThat(sim.out()).as(sim.err()).contains("verdict: PASS");
        Stream.of(plan, admitted, sim).forEach(r -> assertThat(r.err()).isEmpty());
    }

    /**
     * libc from dev.vcap.linux on the module path: with native access denied to every module not
     * granted by name, an ioctl still reaches the kernel (ENOTTY from a plain file) and nothing is printed
     * on stderr.
     */
    @Test
    void theLinuxCommandsCallLibcWithNativeAccessGrantedByModuleName() throws Exception {
        FakeSysfs fs = new FakeSysfs(tmp.resolve("host")).iommufd();
        fs.function("0000:01:00.0").driver("vfio-pci").group(7).vfio("vfio0");
        Run host = vcap("host", "--json", "--sys-root", fs.sys().toString(), "--dev-root", fs.dev().toString());
        assertThat(host.out()).as(host.err()).contains("\"0000:01:00.0\"").contains("ENOTTY");
        assertThat(host.err()).isEmpty();
    }
}
