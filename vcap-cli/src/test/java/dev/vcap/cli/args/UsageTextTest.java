package dev.vcap.cli.args;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The help's layout: synopsis, option list, wrapping at 80 columns. */
class UsageTextTest {

    @Test
    void synopsisClustersShortFlagsBracketsOptionalOnesAndEndsWithParameters() {
        assertThat(UsageText.synopsis(ArgParserTest.TOOL)).isEqualTo("[-hV] [--address=BDF] [--[no-]exec] [--json]"
                + " [--quirks=FILE]... [--sysfs[=BDF]] [--width=N] CONTRACT [FILE...]");
        assertThat(UsageText.synopsis(ArgParserTest.REQUIRES)).isEqualTo("[-hV] --address=BDF --html=OUT");
        assertThat(UsageText.synopsis(ArgParserTest.ROOT)).isEqualTo("[-hV] [COMMAND]");
    }

    @Test
    void helpListsParametersThenOptionsByNameWithoutHiddenOnes() {
        assertThat(UsageText.of(ArgParserTest.TOOL, "vcap tool")).isEqualTo("""
                A tool.
                Usage: vcap tool [-hV] [--address=BDF] [--[no-]exec] [--json] [--quirks=FILE]...
                                 [--sysfs[=BDF]] [--width=N] CONTRACT [FILE...]
                      CONTRACT        The contract.
                      [FILE...]       Files.
                      --address=BDF   Which device.
                      --[no-]exec     Exec.
                  -h, --help          Show this help message and exit.
                      --json          JSON.
                      --quirks=FILE   Quirks.
                      --sysfs[=BDF]   Live devices.
                  -V, --version       Print version information and exit.
                      --width=N       Width.
                """);
    }

    @Test
    void declarationOrderListsOptionsAsDeclaredWithHelpAndVersionLast() {
        CommandDef<ArgParserTest.Tool> def = CommandDef.of("t", ArgParserTest.Tool::new).inDeclarationOrder()
                .flag("--zeta", "Z.", t -> { }).flag("--alpha", "A.", t -> { });
        assertThat(UsageText.of(def, "vcap t")).isEqualTo("""
                Usage: vcap t [-hV] [--alpha] [--zeta]
                      --zeta      Z.
                      --alpha     A.
                  -h, --help      Show this help message and exit.
                  -V, --version   Print version information and exit.
                """);
    }

    @Test
    void longTextWrapsAtEightyColumnsUnderItsColumn() {
        String words = "word ".repeat(40).strip();
        CommandDef<ArgParserTest.Tool> def = CommandDef.of("t", ArgParserTest.Tool::new).description(words)
                .option("--a-very-long-option-name-indeed", "VALUE", words, (t, v) -> { });
        String help = UsageText.of(def, "vcap t");
        assertThat(help.lines()).allSatisfy(l -> assertThat(l.length()).as(l).isLessThanOrEqualTo(UsageText.WIDTH));
        assertThat(help).contains("      --a-very-long-option-name-indeed=VALUE\n                  word word");
        assertThat(help.lines().filter(l -> l.startsWith("word"))).hasSize(3);
    }

    @Test
    void theRootListsItsCommandsWithTheirHeadersAndHelp() {
        String help = UsageText.of(ArgParserTest.ROOT, "vcap");
        assertThat(help).contains("Commands:\n  tool      A tool.\n  requires  Needs options.\n"
                + "  help      Display help information about the specified command.\n");
    }
}
