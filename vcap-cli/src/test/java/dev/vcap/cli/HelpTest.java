package dev.vcap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every command's --help fits an 80-column terminal and names its exit codes and docs. */
class HelpTest {

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
