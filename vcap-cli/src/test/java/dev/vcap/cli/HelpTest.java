package dev.vcap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.testing.Corpus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every command's --help fits an 80-column terminal and names its exit codes and docs. */
class HelpTest {

    static final List<String> COMMANDS = List.of("simulate", "inspect", "plan", "survey", "report", "check-migration",
            "pool");

    /**
     * {@code vcap --help} lists each command with its one-line header, a whole sentence, not the
     * first line of a description cut mid-sentence; each command's own help opens with it.
     */
    @Test
    void theCommandListGivesEachCommandAWholeSentence() {
        List<String> lines = CliRun.of("--help").out().lines().toList();
        Map<String, String> summaries = new LinkedHashMap<>();
        String current = null;
        for (String line : lines.subList(lines.indexOf("Commands:") + 1, lines.size())) {
            Matcher m = Pattern.compile("^  (\\S+)\\s+(.*)$").matcher(line);
            if (m.matches()) {
                current = m.group(1);
                summaries.put(current, m.group(2).strip());
            } else if (line.startsWith("    ") && current != null) {
                summaries.merge(current, line.strip(), (a, b) -> a + " " + b);
            } else {
                break;
            }
        }
        assertThat(summaries.keySet()).containsAll(COMMANDS);
        for (String command : COMMANDS) {
            String summary = summaries.get(command);
            assertThat(summary).as(command).endsWith(".").doesNotContain("--");
            assertThat(CliRun.of(command, "--help").out().lines().findFirst().orElseThrow()).as(command)
                    .isEqualTo(summary);
        }
    }

    /** Every corpus file an example names exists (the help teaches by it). */
    @Test
    void examplesNameCorpusFilesThatExist() {
        Path corpus = Corpus.require();
        List<String> missing = new ArrayList<>();
        for (String command : COMMANDS) {
            Matcher m = Pattern.compile("\\.\\./shared/corpus/([^\\s\"']+)")
                    .matcher(CliRun.of(command, "--help").out());
            while (m.find()) {
                if (!corpus.resolve(m.group(1)).toFile().exists()) {
                    missing.add(command + ": " + m.group());
                }
            }
        }
        assertThat(missing).isEmpty();
    }

    /** {@code vcap help CMD} is {@code vcap CMD --help}; {@code vcap help} and {@code vcap} {@code -h} are {@code vcap --help}. */
    @ParameterizedTest
    @ValueSource(strings = {"plan", "survey", "serve"})
    void helpCommandPrintsWhatHelpOptionPrints(String command) {
        CliRun viaCommand = CliRun.of("help", command);
        assertThat(viaCommand.exitCode()).isZero();
        assertThat(viaCommand.out()).isEqualTo(CliRun.of(command, "--help").out()).isEqualTo(CliRun.of(command, "-h").out())
                .startsWith(Main.ROOT.command(command).header() + "\nUsage: vcap " + command + " ");
        assertThat(CliRun.of("help").out()).isEqualTo(CliRun.of("--help").out()).isEqualTo(CliRun.of("-h").out());
    }

    /** A misspelt command or option gets the close names and the way to the help, exit 2. */
    @Test
    void misspeltNamesGetSuggestionsAndTheWayToTheHelp() {
        CliRun command = CliRun.of("plna", "x.lspci");
        assertThat(command.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(command.out()).isEmpty();
        assertThat(command.err()).isEqualTo("""
                vcap: Unmatched argument at index 0: 'plna'
                Did you mean: vcap plan?
                Try 'vcap --help'.
                """);
        CliRun option = CliRun.of("inspect", "--jsno", "x.lspci");
        assertThat(option.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(option.err()).isEqualTo("""
                vcap: Unknown option: '--jsno'
                Possible solutions: --json
                Try 'vcap inspect --help'.
                """);
        assertThat(CliRun.of().err()).isEqualTo("vcap: Missing required subcommand\nTry 'vcap --help'.\n");
        assertThat(CliRun.of("--version").out()).startsWith("vcap ").contains("\nJava 25");
    }

    /** Every command's first help line, its list entry and its man page's NAME are one whole sentence. */
    @Test
    void everyCommandHasAOneSentenceHeader() {
        for (var c : Main.ROOT.commands()) {
            assertThat(c.header()).as(c.name()).isNotBlank().endsWith(".").doesNotContain("--")
                    .hasSizeLessThanOrEqualTo(80 - 2 - "check-migration".length() - 2);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "simulate", "inspect", "plan", "survey", "report", "check-migration", "pool", "host",
        "probe"})
    void helpFitsEightyColumnsAndTeachesExitCodes(String command) {
        CliRun run = command.isEmpty() ? CliRun.of("--help") : CliRun.of(command, "--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out().lines()).allSatisfy(line -> assertThat(line.length()).as(line).isLessThanOrEqualTo(80));
        assertThat(run.out()).contains("Exit codes").contains("docs/");
    }
}
