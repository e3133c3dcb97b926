package dev.vcap.cli.args;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command-line rules, and one test per way a command line is refused, asserting the message. */
class ArgParserTest {

    static final class Tool {
        boolean json;
        Boolean exec;
        String address;
        int width = 20;
        String sysfs;
        final List<String> quirks = new ArrayList<>();
        String html;
        String contract;
        final List<String> files = new ArrayList<>();
        final Roots roots = new Roots();
    }

    static final class Roots {
        String sys = "/sys";
    }

    static final OptionSet.Group<Roots> ROOTS = OptionSet.<Roots>group().hidden("--sys-root", "DIR", (r, v) -> r.sys = v);

    static final CommandDef<Tool> TOOL = CommandDef.of("tool", Tool::new)
            .header("A tool.")
            .with(ROOTS, t -> t.roots)
            .flag("--json", "JSON.", t -> t.json = true)
            .negatable("--exec", "Exec.", (t, on) -> t.exec = on)
            .option("--address", "BDF", "Which device.", (t, v) -> t.address = v)
            .option("--width", "N", "Width.", (t, v) -> t.width = Values.toInt(v))
            .optionalValue("--sysfs", "BDF", "Live devices.", (t, v) -> t.sysfs = v)
            .repeatable("--quirks", "FILE", "Quirks.", (t, v) -> t.quirks.add(v))
            .param("CONTRACT", 1, 1, "The contract.", (t, v) -> t.contract = v)
            .param("FILE", 0, Integer.MAX_VALUE, "Files.", (t, v) -> t.files.add(v));

    static final CommandDef<Tool> REQUIRES = CommandDef.of("requires", Tool::new).header("Needs options.")
            .required("--html", "OUT", "The HTML.", (t, v) -> t.html = v)
            .required("--address", "BDF", "Which device.", (t, v) -> t.address = v);

    static final CommandDef<Void> ROOT = CommandDef.root("vcap", List.of(TOOL, REQUIRES));

    static Tool run(String... args) {
        ArgParser.Parsed parsed = ArgParser.parse(ROOT, args);
        assertThat(parsed).isInstanceOf(ArgParser.Run.class);
        return (Tool) ((ArgParser.Run<?>) parsed).command();
    }

    static void refused(String message, String... args) {
        assertThatThrownBy(() -> ArgParser.parse(ROOT, args)).isInstanceOf(UsageException.class).hasMessage(message);
    }

    @Test
    void optionsTakeValuesSeparateOrJoinedAndMixWithParameters() {
        Tool t = run("tool", "c.json", "--address", "03:00.0", "a", "--width=5", "--json", "b", "--quirks", "q1",
                "--quirks=q2", "--no-exec", "--sys-root", "/tmp/sys");
        assertThat(t.contract).isEqualTo("c.json");
        assertThat(t.files).containsExactly("a", "b");
        assertThat(t.address).isEqualTo("03:00.0");
        assertThat(t.width).isEqualTo(5);
        assertThat(t.json).isTrue();
        assertThat(t.quirks).containsExactly("q1", "q2");
        assertThat(t.exec).isFalse();
        assertThat(t.roots.sys).isEqualTo("/tmp/sys");
        assertThat(run("tool", "c", "--exec").exec).isTrue();
        assertThat(run("tool", "c").exec).isNull();
    }

    @Test
    void anOptionalValueTakesTheNextArgumentUnlessItIsAnOption() {
        assertThat(run("tool", "c", "--sysfs").sysfs).isEmpty();
        assertThat(run("tool", "c", "--sysfs", "--json").sysfs).isEmpty();
        assertThat(run("tool", "c", "--sysfs", "03:00.0").sysfs).isEqualTo("03:00.0");
        assertThat(run("tool", "c", "--sysfs=03:00.0").sysfs).isEqualTo("03:00.0");
    }

    @Test
    void doubleDashEndsTheOptionsAndADashAloneIsAParameter() {
        Tool t = run("tool", "c", "--", "--json", "-");
        assertThat(t.files).containsExactly("--json", "-");
        assertThat(t.json).isFalse();
    }

    @Test
    void helpAndVersionAreAnsweredBeforeAnythingIsChecked() {
        assertThat(ArgParser.parse(ROOT, new String[] {"requires", "--help"})).isEqualTo(new ArgParser.Help(REQUIRES));
        assertThat(ArgParser.parse(ROOT, new String[] {"tool", "-hV"})).isEqualTo(new ArgParser.Help(TOOL));
        assertThat(ArgParser.parse(ROOT, new String[] {"tool", "-V"})).isEqualTo(new ArgParser.Version());
        assertThat(ArgParser.parse(ROOT, new String[] {"--version"})).isEqualTo(new ArgParser.Version());
        assertThat(ArgParser.parse(ROOT, new String[] {"-h"})).isEqualTo(new ArgParser.Help(ROOT));
        assertThat(ArgParser.parse(ROOT, new String[] {"help"})).isEqualTo(new ArgParser.Help(ROOT));
        assertThat(ArgParser.parse(ROOT, new String[] {"help", "tool"})).isEqualTo(new ArgParser.Help(TOOL));
    }

    @Test
    void noCommand() {
        refused("Missing required subcommand");
    }

    @Test
    void unknownCommandSuggestsCloseOnes() {
        assertThatThrownBy(() -> ArgParser.parse(ROOT, new String[] {"tol"})).isInstanceOf(UsageException.class)
                .hasMessage("Unmatched argument at index 0: 'tol'")
                .satisfies(e -> assertThat(((UsageException) e).suggestions()).containsExactly("tool"));
        refused("Unknown subcommand 'nope'.", "help", "nope");
    }

    @Test
    void unknownOptionSuggestsCloseOnesButNeverHiddenOnes() {
        assertThatThrownBy(() -> ArgParser.parse(ROOT, new String[] {"tool", "c", "--jsno"}))
                .isInstanceOf(UsageException.class).hasMessage("Unknown option: '--jsno'")
                .satisfies(e -> assertThat(((UsageException) e).suggestions()).containsExactly("--json"));
        assertThatThrownBy(() -> ArgParser.parse(ROOT, new String[] {"tool", "c", "--sys-roo"}))
                .satisfies(e -> assertThat(((UsageException) e).suggestions()).isEmpty());
        refused("Unknown option: '--no-json'", "tool", "c", "--no-json");
        refused("Unknown option: '-x'", "tool", "c", "-x");
        refused("Unknown option: '-hx'", "tool", "c", "-hx");
    }

    @Test
    void valueMissingAtTheEnd() {
        refused("Missing required parameter for option '--address' (BDF)", "tool", "c", "--address");
    }

    @Test
    void valueNotANumber() {
        refused("Invalid value for option '--width': 'abc' is not an int", "tool", "c", "--width", "abc");
    }

    @Test
    void flagGivenAValue() {
        refused("option '--json' takes no value: '--json=yes'", "tool", "c", "--json=yes");
    }

    @Test
    void singleValueOptionGivenTwice() {
        refused("option '--address' should be specified only once", "tool", "c", "--address", "a", "--address", "b");
        refused("option '--json' should be specified only once", "tool", "c", "--json", "--json");
    }

    @Test
    void tooManyParameters() {
        refused("Unmatched argument at index 3: 'extra'", "requires", "--html", "x", "extra", "--address", "a");
    }

    @Test
    void missingRequiredOptions() {
        refused("Missing required options: '--html=OUT', '--address=BDF'", "requires");
        refused("Missing required option: '--address=BDF'", "requires", "--html", "x");
    }

    @Test
    void missingRequiredParameter() {
        refused("Missing required parameter: 'CONTRACT'", "tool", "--json");
    }

    @Test
    void aTableWithTwoOptionsOfOneNameOrAParameterAfterTheRestIsABug() {
        assertThatThrownBy(() -> CommandDef.of("x", Tool::new).flag("--json", "", t -> { }).flag("--json", "", t -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessage("two options named --json");
        assertThatThrownBy(() -> CommandDef.of("x", Tool::new).param("A", 0, Integer.MAX_VALUE, "", (t, v) -> { })
                .param("B", 1, 1, "", (t, v) -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessage("B follows A, which takes the rest");
    }

    @Test
    void closeNamesAreWithinTwoEditsOrStartedByTheWord() {
        assertThat(ArgParser.distance("plna", "plan")).isEqualTo(1);
        assertThat(ArgParser.distance("inspect", "inspcet")).isEqualTo(1);
        assertThat(ArgParser.close("--emit", List.of("--emit-vmm", "--json", "--emit"))).containsExactly("--emit-vmm",
                "--emit");
        assertThat(ArgParser.close("zzz", List.of("plan", "pool"))).isEmpty();
    }
}
