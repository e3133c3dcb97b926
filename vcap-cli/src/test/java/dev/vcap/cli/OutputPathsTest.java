package dev.vcap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every output option is checked before the work: a file in a directory that does not exist is bad
 * input (exit 3) naming the file and the directory — never the temporary file beside it — and
 * nothing is read, printed or written.
 */
class OutputPathsTest {

    @TempDir
    Path tmp;

    static Stream<String> outputs() {
        return Stream.of("survey --html", "report --html", "plan --emit", "plan --contract", "pool --contract");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outputs")
    void anOutputIntoAMissingDirectoryFailsBeforeTheWork(String command) throws IOException {
        Path input = TestDevices.write(tmp.resolve("in.lspci"), TestDevices.clean().build());
        Path missing = tmp.resolve("missing");
        Path out = missing.resolve("out");
        String[] words = command.split(" ");
        List<String> args = new ArrayList<>(List.of(words[0], input.toString(), words[1], out.toString()));
        if (!words[0].equals("survey")) {
            args.add("--pasid");
        }
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).isEqualTo("vcap: " + out + ": cannot write: directory " + missing + " does not exist\n");
        assertThat(run.out()).isEmpty();
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left).containsExactly(input);
        }
    }
}
