package dev.vcap.vmm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.guest.GuestPciDev;
import dev.vcap.host.Host;
import dev.vcap.pci.config.ConfigSpace;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/API.md cannot rot: every {@code java} block in it is compiled against the build's classes,
 * run, and what it prints must equal the {@code text} block that follows it. Run with
 * {@code -Dvcap.updateApiDoc=true} to write the actual output into API.md after a deliberate change.
 */
class ApiDocTest {

    static final Path DOC = Path.of("..", "docs", "API.md");
    static final Pattern BLOCK = Pattern.compile("```(java|text)\\n(.*?)```\\n", Pattern.DOTALL);
    static final Pattern CLASS = Pattern.compile("public class (\\w+)");

    @TempDir
    Path tmp;

    record Snippet(String className, String source, String expected, int textStart, int textEnd) {
    }

    static List<Snippet> snippets(String doc) {
        List<Snippet> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(doc);
        String pendingSource = null;
        while (m.find()) {
            if (m.group(1).equals("java")) {
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
        return out;
    }

    /** Where the classes the snippets use live: this module's and its dependencies'. */
    static String classPath() throws URISyntaxException {
        List<String> entries = new ArrayList<>();
        for (Class<?> anchor : List.of(ConfigSpace.class, Host.class, AssignedDevice.class, GuestPciDev.class)) {
            entries.add(Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    /** Compiles every snippet in one javac run (warnings are errors) into {@code classes}. */
    static void compile(List<Snippet> snippets, Path sources, Path classes) throws Exception {
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-classpath", classPath(), "-Xlint:all",
                "-Werror"));
        for (Snippet s : snippets) {
            Path file = sources.resolve(s.className() + ".java");
            Files.writeString(file, s.source());
            args.add(file.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, null, diagnostics, args.toArray(String[]::new));
        assertThat(rc).as("javac of the snippets in docs/API.md:%n%s", diagnostics.toString(StandardCharsets.UTF_8))
                .isZero();
    }

    /** Runs a compiled snippet's main and returns what it printed. */
    static String run(Snippet s, Path classes) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                ApiDocTest.class.getClassLoader())) {
            Method main = loader.loadClass(s.className()).getMethod("main", String[].class);
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(original);
        }
        return printed.toString(StandardCharsets.UTF_8);
    }

    @TestFactory
    Stream<DynamicTest> everySnippetCompilesRunsAndPrintsWhatTheDocSays() throws Exception {
        String doc = Files.readString(DOC);
        List<Snippet> snippets = snippets(doc);
        assertThat(snippets).extracting(Snippet::className)
                .containsExactly("DecodeDevice", "PlanLayout", "MigrationContract", "DriveHost");
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        compile(snippets, Files.createDirectories(tmp.resolve("src")), classes);
        if (Boolean.getBoolean("vcap.updateApiDoc")) {
            StringBuilder updated = new StringBuilder(doc);
            for (Snippet s : snippets.reversed()) {
                updated.replace(s.textStart(), s.textEnd(), run(s, classes));
            }
            Files.writeString(DOC, updated);
        }
        return snippets.stream().map(s -> DynamicTest.dynamicTest(s.className(), () -> assertThat(run(s, classes))
                .as("output of %s in docs/API.md", s.className()).isEqualTo(s.expected())));
    }
}
