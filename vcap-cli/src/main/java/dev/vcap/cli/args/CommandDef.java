package dev.vcap.cli.args;

import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A command's table: its name, the texts its help prints, and its options and parameters bound to
 * the fields of a fresh {@code C} that {@link ArgParser} fills. Every command gets {@code -h,
 * --help} and {@code -V, --version}. The root ({@code vcap}) has no {@code C} of its own; it lists
 * the commands.
 *
 * <pre>{@code
 * static final CommandDef<InspectCommand> DEF = CommandDef.of("inspect", InspectCommand::new)
 *         .header("Decode config spaces: capabilities, findings, gaps, suspects.")
 *         .flag("--json", "Print JSON instead of text.", c -> c.json = true)
 *         .param("FILE", 0, Integer.MAX_VALUE, "Dump files.", (c, v) -> c.files.add(Path.of(v)));
 * }</pre>
 */
public final class CommandDef<C> extends OptionSet<C, CommandDef<C>> {

    /** The name of the option every command has that prints its help. */
    public static final String HELP = "--help";
    /** The name of the option every command has that prints the version. */
    public static final String VERSION = "--version";

    private final String name;
    private final Supplier<C> factory;
    private String header;
    private List<String> description = List.of();
    private List<String> footer = List.of();
    private List<CommandDef<?>> commands = List.of();
    private boolean sorted = true;

    private CommandDef(String name, Supplier<C> factory) {
        this.name = name;
        this.factory = factory;
        add(new OptionDef<>(List.of("-h", HELP), null, "Show this help message and exit.", OptionDef.Kind.FLAG,
                false, false, (c, v) -> { }));
        add(new OptionDef<>(List.of("-V", VERSION), null, "Print version information and exit.",
                OptionDef.Kind.FLAG, false, false, (c, v) -> { }));
    }

    /** A command that runs on a fresh {@code factory.get()}. */
    public static <C> CommandDef<C> of(String name, Supplier<C> factory) {
        return new CommandDef<>(name, factory);
    }

    /** The root: it runs no command of its own, it names one of {@code commands}. */
    public static CommandDef<Void> root(String name, List<CommandDef<?>> commands) {
        CommandDef<Void> root = new CommandDef<>(name, () -> null);
        root.commands = List.copyOf(commands);
        return root;
    }

    /** One sentence: the first line of the help, the command's line in the root's list and its man page's NAME. */
    public CommandDef<C> header(String header) {
        this.header = header;
        return this;
    }

    /** Lines written for 80 columns; help wraps a longer one. An empty string is a blank line. */
    public CommandDef<C> description(String... lines) {
        this.description = List.of(lines);
        return this;
    }

    /** Lines printed after the options as they are: examples, exit codes. */
    public CommandDef<C> footer(String... lines) {
        this.footer = List.of(lines);
        return this;
    }

    /** Help lists the options as declared, related ones together, instead of by name; -h and -V come last. */
    public CommandDef<C> inDeclarationOrder() {
        this.sorted = false;
        return this;
    }

    /** Whether help lists the options by name. */
    public boolean sorted() {
        return sorted;
    }

    /** Adds the options and parameters of {@code group}, set on the part of {@code C} that {@code part} gives. */
    public <M> CommandDef<C> with(OptionSet.Group<M> group, Function<C, M> part) {
        addAll(group, part);
        return this;
    }

    public String name() {
        return name;
    }

    /** The header; null when the command has none (the root). */
    public String header() {
        return header;
    }

    public List<String> description() {
        return description;
    }

    public List<String> footer() {
        return footer;
    }

    /** The root's commands, in the order help lists them; empty for a command. */
    public List<CommandDef<?>> commands() {
        return commands;
    }

    /** The command of that name, or null. */
    public CommandDef<?> command(String name) {
        for (CommandDef<?> c : commands) {
            if (c.name.equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** The option with that name ({@code --json}, {@code -h}), or null. */
    public OptionDef<C> find(String name) {
        for (OptionDef<C> o : options()) {
            if (o.names().contains(name)) {
                return o;
            }
        }
        return null;
    }

    /** A fresh instance for a run to fill. */
    C create() {
        return factory.get();
    }
}
