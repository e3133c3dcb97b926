package dev.vcap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.testing.Corpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's examples on real dumps: every file they write is outside the repository (a reader
 * who pastes them should not find a new file among the sources), and they run: each exits 0, or 3
 * for the whole-corpus survey (two corpus files have no device header line).
 */
class ReadmeExamplesTest {

    private static final Path README = Path.of("..", "README.md");
    private static final Pattern OUTPUT = Pattern.compile("(?:--contract|--emit|--html|>)\\s+(\\S+)");

    /** The {@code ./vcap} lines of the README's shell blocks, {@code $VAR} assignments applied. */
    static List<List<String>> examples() throws IOException {
        List<List<String>> out = new ArrayList<>();
        Map<String, String> vars = new HashMap<>();
        boolean shell = false;
        for (String line : Files.readAllLines(README)) {
            if (line.startsWith("```")) {
                shell = line.equals("```sh");
                continue;
            }
            String code = line.replaceAll("\\s+#.*$", "").strip();
            Matcher assign = Pattern.compile("^([A-Z]+)=(\\S+)$").matcher(code);
            if (shell && assign.matches()) {
                vars.put(assign.group(1), assign.group(2));
            } else if (shell && code.startsWith("./vcap ")) {
                for (var v : vars.entrySet()) {
                    code = code.replace("$" + v.getKey(), v.getValue());
                }
                out.add(List.of(code.substring("./vcap ".length()).split("\\s+")));
            }
        }
        return out;
    }

    @Test
    void everyFileAnExampleWritesIsOutsideTheRepository() throws IOException {
        List<List<String>> examples = examples();
        assertThat(examples).hasSizeGreaterThanOrEqualTo(5);
        Path repository = README.toAbsolutePath().getParent().normalize();
        for (List<String> example : examples) {
            Matcher m = OUTPUT.matcher(String.join(" ", example));
            while (m.find()) {
                Path written = repository.resolve(m.group(1)).normalize();
                assertThat(written.startsWith(repository)).as("%s writes %s", example, written).isFalse();
            }
        }
    }

    @Test
    void theExamplesOnRealDumpsRun() throws IOException {
        Path corpus = Corpus.require();
        for (List<String> example : examples()) {
            List<String> args = example.stream().map(a -> a.replace("../shared/corpus", corpus.toString())).toList();
            CliRun run = CliRun.of(args.toArray(String[]::new));
            boolean wholeCorpus = args.getFirst().equals("survey");
            assertThat(run.exitCode()).as("vcap %s: %s", args, run.err())
                    .isEqualTo(wholeCorpus ? ExitCodes.BAD_INPUT : ExitCodes.OK);
        }
    }
}
