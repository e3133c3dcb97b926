package dev.vcap.vmm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/API.md cannot rot: it is used as a JPMS user uses vcap. Its {@code module} block is compiled
 * against the build's modules; every other {@code java} block is compiled on the module path with
 * just the modules that block requires (so a snippet sees only exported packages), run with vcap's
 * modules in a module layer of their own (native access enabled as the page says), and what it
 * prints must equal the {@code text} block that follows it. Run with
 * {@code -Dvcap.updateApiDoc=true} to write the actual output into API.md after a deliberate change.
 */
class ApiDocTest {

    static final Path DOC = Path.of("..", "docs", "API.md");
    static final Pattern BLOCK = Pattern.compile("```(java|text)\\n(.*?)```\\n", Pattern.DOTALL);
    static final Pattern CLASS = Pattern.compile("public class (\\w+)");
    static final Pattern MODULE = Pattern.compile("^module ([\\w.]+) \\{", Pattern.MULTILINE);
    static final Pattern NATIVE_ACCESS = Pattern.compile("--enable-native-access=([\\w.,]+)");
    /** The snippet whose output depends on this machine: the page shows a machine without vfio. */
    static final String REAL_HOST = "RealHost";

    @TempDir
    Path tmp;

    record Snippet(String className, String source, String expected, int textStart, int textEnd) {
    }

    /** The page's parts: its module declaration, and each snippet with the output it shows. */
    record Page(String module, List<Snippet> snippets) {

        static Page parse(String doc) {
            List<Snippet> out = new ArrayList<>();
            String module = null;
            Matcher m = BLOCK.matcher(doc);
            String pendingSource = null;
            while (m.find()) {
                if (m.group(1).equals("java") && MODULE.matcher(m.group(2)).find()) {
                    assertThat(module).as("docs/API.md declares one module").isNull();
                    module = m.group(2);
                } else if (m.group(1).equals("java")) {
                    assertThat(pendingSource).as("a java block is followed by the text block of its output").isNull();
                    pendingSource = m.group(2);
                } else if (pendingSource != null) {
                    Matcher c = CLASS.matcher(pendingSource);
                    assertThat(c.find()).as("each java block declares a public class").isTrue();
                    out.add(new Snippet(c.group(1), pendingSource, m.group(2), m.start(2), m.end(2)));
                    pendingSource = null;
                }
            }
            assertThat(pendingSource).as("the last java block has its output block").isNull();
            assertThat(module).as("docs/API.md has the module-info.java of a user's module").isNotNull();
            return new Page(module, out);
        }
    }

    /**
     * The module path a JPMS user of the build's modules has: every explicit module on this test's
     * class path (the vcap modules, their libraries). Automatic modules are left out: none of vcap's
     * runtime dependencies is one.
     */
    static List<Path> modulePath() {
        List<Path> path = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            try {
                Optional<ModuleReference> m = ModuleFinder.of(p).findAll().stream().findFirst();
                if (m.isPresent() && !m.get().descriptor().isAutomatic()) {
                    path.add(p);
                }
            } catch (FindException e) {
                // not a module (a test jar without a usable name): not on a user's module path
            }
        }
        return path;
    }

    /**
     * Compiles the module declaration, then every snippet in one javac run with just the modules it
     * requires (warnings are errors); returns those modules.
     */
    static List<String> compile(Page page, List<Path> modulePath, Path sources, Path classes) throws Exception {
        String mp = modulePath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
        Path moduleSources = Files.createDirectories(sources.resolve("module"));
        Path moduleClasses = Files.createDirectories(classes.resolve("module"));
        Files.writeString(moduleSources.resolve("module-info.java"), page.module());
        javac(List.of("-d", moduleClasses.toString(), "--module-path", mp, "-Xlint:all", "-Werror",
                moduleSources.resolve("module-info.java").toString()), "the module-info.java");
        List<String> requires;
        try (InputStream in = Files.newInputStream(moduleClasses.resolve("module-info.class"))) {
            requires = ModuleDescriptor.read(in).requires().stream()
                    .filter(r -> !r.modifiers().contains(ModuleDescriptor.Requires.Modifier.MANDATED))
                    .map(ModuleDescriptor.Requires::name).sorted().toList();
        }

        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "--module-path", mp, "--add-modules",
                String.join(",", requires), "-Xlint:all", "-Werror"));
        for (Snippet s : page.snippets()) {
            Path file = sources.resolve(s.className() + ".java");
            Files.writeString(file, s.source());
            args.add(file.toString());
        }
        javac(args, "the snippets");
        return requires;
    }

    /**
     * Runs javac in this JVM with an empty class path: left unset, javac in process would take this
     * test's whole class path, and the snippets would see every class, exported or not.
     */
    static void javac(List<String> args, String what) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("-classpath", ""));
        all.addAll(args);
        int rc = javac.run(null, null, diagnostics, all.toArray(String[]::new));
        assertThat(rc).as("javac of %s in docs/API.md:%n%s", what, diagnostics.toString(StandardCharsets.UTF_8))
                .isZero();
    }

    /**
     * vcap's modules as a JPMS application has them: resolved from the module path alone (the
     * platform's class loader as parent, so nothing comes from this test's class path), native
     * access enabled for the modules the page names.
     */
    static ModuleLayer layer(List<String> roots, List<Path> modulePath, Set<String> nativeAccess) {
        ModuleLayer boot = ModuleLayer.boot();
        Configuration cf = boot.configuration().resolve(ModuleFinder.of(modulePath.toArray(Path[]::new)),
                ModuleFinder.of(), roots);
        ModuleLayer.Controller controller = ModuleLayer.defineModulesWithOneLoader(cf, List.of(boot),
                ClassLoader.getPlatformClassLoader());
        for (String name : nativeAccess) {
            controller.enableNativeAccess(controller.layer().findModule(name).orElseThrow(() -> new AssertionError(
                    "docs/API.md enables native access for " + name + ", which the page's module does not reach")));
        }
        return controller.layer();
    }

    /** Runs a compiled snippet's main in the unnamed module of a loader over the layer; returns what it printed. */
    static String run(Snippet s, Path classes, ModuleLayer layer) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        ClassLoader vcap = layer.findLoader(layer.modules().iterator().next().getName());
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, vcap)) {
            Class<?> main = loader.loadClass(s.className());
            Method entry = main.getMethod("main", String[].class);
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            entry.invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(original);
        }
        return printed.toString(StandardCharsets.UTF_8);
    }

    @TestFactory
    Stream<DynamicTest> everySnippetCompilesRunsAndPrintsWhatTheDocSays() throws Exception {
        String doc = Files.readString(DOC);
        Page page = Page.parse(doc);
        assertThat(page.snippets()).extracting(Snippet::className)
                .containsExactly("DecodeDevice", "PlanLayout", "MigrationContract", "DriveHost", REAL_HOST);
        Matcher nativeAccess = NATIVE_ACCESS.matcher(doc);
        assertThat(nativeAccess.find()).as("docs/API.md says which modules need --enable-native-access").isTrue();
        List<Path> modulePath = modulePath();
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        List<String> requires = compile(page, modulePath, Files.createDirectories(tmp.resolve("src")), classes);
        ModuleLayer layer = layer(requires, modulePath, Set.of(nativeAccess.group(1).split(",")));
        assertThat(layer.findModule("dev.vcap.vmm")).as("the snippets run on vcap's modules").isPresent();
        boolean vfioHere = Files.exists(Path.of("/dev/iommu")) || Files.exists(Path.of("/dev/vfio"));
        if (Boolean.getBoolean("vcap.updateApiDoc")) {
            StringBuilder updated = new StringBuilder(doc);
            for (Snippet s : page.snippets().reversed()) {
                if (!(s.className().equals(REAL_HOST) && vfioHere)) {
                    updated.replace(s.textStart(), s.textEnd(), run(s, classes, layer));
                }
            }
            Files.writeString(DOC, updated);
        }
        return page.snippets().stream().map(s -> DynamicTest.dynamicTest(s.className(), () -> {
            String printed = run(s, classes, layer);
            Assumptions.assumeFalse(s.className().equals(REAL_HOST) && vfioHere, "this machine has /dev/iommu or"
                    + " /dev/vfio: " + REAL_HOST + " ran on it, but docs/API.md shows a machine without; printed:\n"
                    + printed);
            assertThat(printed).as("output of %s in docs/API.md", s.className()).isEqualTo(s.expected());
        }));
    }
}
