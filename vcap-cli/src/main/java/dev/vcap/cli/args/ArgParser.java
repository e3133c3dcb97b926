package dev.vcap.cli.args;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Reads a command line against a root's table: {@code ROOT COMMAND [OPTION | PARAM]...}.
 *
 * <p>The rules, those of GNU {@code getopt_long} and picocli (which vcap used before, so scripts
 * keep working): an option's value follows it ({@code --address 03:00.0}) or is joined by
 * {@code =}; {@code -hV} is {@code -h -V}; {@code --} ends the options; options and parameters
 * mix in any order; a value option given twice is an error unless it is repeatable. A command line
 * asking for help or the version is not checked further.
 */
public final class ArgParser {

    private ArgParser() {
    }

    /** What a command line asks for. */
    public sealed interface Parsed {
    }

    /** Run {@code command}, filled from the command line, as {@code def} describes. */
    public record Run<C>(CommandDef<C> def, C command) implements Parsed {
    }

    /** Print the help of {@code def}: the root's or a command's. */
    public record Help(CommandDef<?> def) implements Parsed {
    }

    /** Print the version. */
    public record Version() implements Parsed {
    }

    /** The name of the root's command that prints help: {@code vcap help plan}. */
    public static final String HELP_COMMAND = "help";

    /**
     * Reads {@code args} against {@code root}.
     *
     * @throws UsageException when the command line cannot run, with the message a user reads
     */
    public static Parsed parse(CommandDef<Void> root, String[] args) {
        if (args.length == 0) {
            throw new UsageException("Missing required subcommand");
        }
        String first = args[0];
        if (first.startsWith("-") && first.length() > 1) {
            Parsed asked = parse(root, args, 0);
            if (asked instanceof Run<?>) {
                throw new UsageException("Missing required subcommand");
            }
            return asked;
        }
        if (first.equals(HELP_COMMAND)) {
            return help(root, args);
        }
        CommandDef<?> command = root.command(first);
        if (command == null) {
            throw new UsageException("Unmatched argument at index 0: '" + first + "'",
                    close(first, root.commands().stream().map(CommandDef::name).toList()));
        }
        return parse(command, args, 1);
    }

    /** {@code help}: the root's help; {@code help COMMAND}: that command's. */
    private static Parsed help(CommandDef<Void> root, String[] args) {
        if (args.length > 2) {
            throw new UsageException("Unmatched argument at index 2: '" + args[2] + "'");
        }
        if (args.length == 1 || args[1].equals("-h") || args[1].equals(CommandDef.HELP)) {
            return new Help(root);
        }
        CommandDef<?> command = root.command(args[1]);
        if (command == null) {
            throw new UsageException("Unknown subcommand '" + args[1] + "'.",
                    close(args[1], root.commands().stream().map(CommandDef::name).toList()));
        }
        return new Help(command);
    }

    /** Reads {@code args[from..]} as options and parameters of {@code def}. */
    private static <C> Parsed parse(CommandDef<C> def, String[] args, int from) {
        C command = def.create();
        // by identity: a record's hashCode is bootstrapped at run time, a cost a short run can skip
        Set<OptionDef<C>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        int[] taken = new int[def.params().size()];
        int param = 0;
        boolean help = false;
        boolean version = false;
        boolean optionsEnded = false;
        for (int i = from; i < args.length; i++) {
            String arg = args[i];
            if (!optionsEnded && arg.equals("--")) {
                optionsEnded = true;
                continue;
            }
            if (optionsEnded || !arg.startsWith("-") || arg.length() == 1) {
                while (param < taken.length && taken[param] == def.params().get(param).max()) {
                    param++;
                }
                if (param == taken.length) {
                    throw new UsageException("Unmatched argument at index " + i + ": '" + arg + "'");
                }
                ParamDef<C> p = def.params().get(param);
                try {
                    p.set().accept(command, arg);
                } catch (IllegalArgumentException e) {
                    throw new UsageException("Invalid value for positional parameter at index " + param + " ("
                            + p.label() + "): " + e.getMessage());
                }
                taken[param]++;
                continue;
            }
            int eq = arg.indexOf('=');
            String name = arg.startsWith("--") && eq > 0 ? arg.substring(0, eq) : arg;
            String value = arg.startsWith("--") && eq > 0 ? arg.substring(eq + 1) : null;
            if (!arg.startsWith("--") && arg.length() > 2 && def.find(arg) == null) {
                for (char c : arg.substring(1).toCharArray()) { // -hV: flags clustered after one dash
                    OptionDef<C> o = def.find("-" + c);
                    if (o == null || o.takesValue()) {
                        throw unknown(def, arg);
                    }
                    help |= o.longName().equals(CommandDef.HELP);
                    version |= o.longName().equals(CommandDef.VERSION);
                    o.set().accept(command, "true");
                }
                continue;
            }
            OptionDef<C> o = def.find(name);
            String flagValue = "true";
            if (o == null && name.startsWith("--no-")) {
                o = def.find("--" + name.substring(5));
                if (o == null || o.kind() != OptionDef.Kind.NEGATABLE) {
                    throw unknown(def, arg);
                }
                flagValue = "false";
            }
            if (o == null) {
                throw unknown(def, arg);
            }
            if (!seen.add(o) && o.kind() != OptionDef.Kind.REPEATABLE) {
                throw new UsageException("option '" + o.longName() + "' should be specified only once");
            }
            switch (o.kind()) {
                case FLAG, NEGATABLE -> {
                    if (value != null) {
                        throw new UsageException("option '" + name + "' takes no value: '" + arg + "'");
                    }
                    value = flagValue;
                }
                case VALUE, REPEATABLE -> {
                    if (value == null) {
                        if (i + 1 == args.length) {
                            throw new UsageException("Missing required parameter for option '" + o.longName() + "' ("
                                    + o.label() + ")");
                        }
                        value = args[++i];
                    }
                }
                case OPTIONAL_VALUE -> {
                    if (value == null) {
                        boolean next = i + 1 < args.length && !args[i + 1].startsWith("-");
                        value = next ? args[++i] : "";
                    }
                }
            }
            help |= o.longName().equals(CommandDef.HELP);
            version |= o.longName().equals(CommandDef.VERSION);
            try {
                o.set().accept(command, value);
            } catch (IllegalArgumentException e) {
                throw new UsageException("Invalid value for option '" + o.longName() + "': " + e.getMessage());
            }
        }
        if (help) {
            return new Help(def);
        }
        if (version) {
            return new Version();
        }
        List<String> missing = def.options().stream().filter(o -> o.required() && !seen.contains(o))
                .map(o -> "'" + o.shown(o.longName()) + "'").toList();
        if (!missing.isEmpty()) {
            throw new UsageException("Missing required option" + (missing.size() > 1 ? "s: " : ": ")
                    + String.join(", ", missing));
        }
        List<String> params = new ArrayList<>();
        for (int p = 0; p < taken.length; p++) {
            if (taken[p] < def.params().get(p).min()) {
                params.add("'" + def.params().get(p).label() + "'");
            }
        }
        if (!params.isEmpty()) {
            throw new UsageException("Missing required parameter" + (params.size() > 1 ? "s: " : ": ")
                    + String.join(", ", params));
        }
        return new Run<>(def, command);
    }

    private static UsageException unknown(CommandDef<?> def, String arg) {
        String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
        List<String> names = new ArrayList<>();
        for (OptionDef<?> o : def.options()) {
            if (!o.hidden()) {
                names.addAll(o.names());
            }
        }
        return new UsageException("Unknown option: '" + arg + "'", close(name, names));
    }

    /**
     * The names close to a misspelt {@code word}: those it starts, or those within two edits of it
     * (a swapped, missing, extra or wrong character counts as one), closest first.
     */
    static List<String> close(String word, List<String> names) {
        record Scored(String name, int distance) {
        }
        List<Scored> near = new ArrayList<>();
        for (String n : names) {
            int d = n.startsWith(word) && word.length() > 2 ? 0 : distance(word, n);
            if (d <= 2 && d < n.length() - 1) {
                near.add(new Scored(n, d));
            }
        }
        near.sort(Comparator.comparingInt(Scored::distance));
        return near.stream().map(Scored::name).toList();
    }

    /** Optimal string alignment distance: Levenshtein with adjacent transpositions. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
