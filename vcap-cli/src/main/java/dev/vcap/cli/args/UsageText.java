package dev.vcap.cli.args;

import java.util.ArrayList;
import java.util.List;

/**
 * A command's help, for an 80-column terminal:
 *
 * <pre>
 * HEADER
 * Usage: vcap inspect [-hV] [--decode] [--json] [--sysfs[=BDF]] [FILE...]
 * DESCRIPTION
 *       [FILE...]       Dump files, directories, or PCI addresses of live
 *                         functions (03:00.0).
 *   -h, --help          Show this help message and exit.
 * (the root: Commands: and one line per command)
 * FOOTER
 * </pre>
 *
 * Options are listed by name (or as declared, {@link CommandDef#inDeclarationOrder()}); a
 * description too long for its line wraps, indented under it.
 */
public final class UsageText {

    /** The width help is written for. */
    public static final int WIDTH = 80;
    /** Where the column of option names ends at most; a longer name puts its description on the next line. */
    private static final int NAMES_MAX = 30;

    private UsageText() {
    }

    /** The help of {@code def}, called {@code qualifiedName} ({@code vcap inspect}). */
    public static String of(CommandDef<?> def, String qualifiedName) {
        StringBuilder t = new StringBuilder();
        if (def.header() != null) {
            wrap(t, def.header());
        }
        String usage = "Usage: " + qualifiedName + " ";
        wrapWords(t, synopsis(def), usage, " ".repeat(usage.length()));
        for (String line : def.description()) {
            wrap(t, line);
        }
        List<String[]> rows = new ArrayList<>();
        for (ParamDef<?> p : def.params()) {
            rows.add(new String[] {"      " + p.shown(), p.description()});
        }
        List<? extends OptionDef<?>> listed = def.sorted() ? sorted(def.options())
                : java.util.stream.Stream.concat(def.options().stream().skip(2), def.options().stream().limit(2)).toList();
        for (OptionDef<?> o : listed) {
            if (!o.hidden()) {
                String names = o.names().size() > 1 ? o.names().getFirst() + ", " + o.shown(o.longName())
                        : "    " + o.shown(o.longName());
                rows.add(new String[] {"  " + names, o.description()});
            }
        }
        table(t, rows, 3);
        if (!def.commands().isEmpty()) {
            t.append("Commands:\n");
            List<String[]> commands = new ArrayList<>();
            for (CommandDef<?> c : def.commands()) {
                commands.add(new String[] {"  " + c.name(), c.header()});
            }
            commands.add(new String[] {"  " + ArgParser.HELP_COMMAND, "Display help information about the specified command."});
            table(t, commands, 2);
        }
        for (String line : def.footer()) {
            t.append(line).append('\n');
        }
        return t.toString();
    }

    /**
     * The synopsis after the command's name: {@code [-hV] [--json] [--address=BDF] FILE...}: the
     * short flags clustered, the other options by name, required ones without brackets, then the
     * parameters ({@code [COMMAND]} for the root).
     */
    public static String synopsis(CommandDef<?> def) {
        List<String> parts = new ArrayList<>();
        StringBuilder shorts = new StringBuilder();
        List<OptionDef<?>> options = sorted(def.options());
        for (OptionDef<?> o : options) {
            if (!o.hidden() && o.names().size() > 1 && !o.takesValue()) {
                shorts.append(o.names().getFirst().substring(1));
            }
        }
        if (!shorts.isEmpty()) {
            parts.add("[-" + shorts + "]");
        }
        for (OptionDef<?> o : options) {
            if (o.hidden() || o.names().size() > 1 && !o.takesValue()) {
                continue;
            }
            String shown = o.shown(o.longName());
            parts.add(o.required() ? shown : "[" + shown + "]" + (o.kind() == OptionDef.Kind.REPEATABLE ? "..." : ""));
        }
        if (!def.commands().isEmpty()) {
            parts.add("[COMMAND]");
        }
        def.params().forEach(p -> parts.add(p.shown()));
        return String.join(" ", parts);
    }

    /** Options sorted by their first name, ignoring dashes and case: {@code --decode, -h, --json, -V}. */
    private static List<OptionDef<?>> sorted(List<? extends OptionDef<?>> options) {
        List<OptionDef<?>> sorted = new ArrayList<>(options);
        sorted.sort((a, b) -> sortKey(a).compareToIgnoreCase(sortKey(b)));
        return sorted;
    }

    private static String sortKey(OptionDef<?> o) {
        String name = o.names().getFirst();
        return name.substring(name.startsWith("--") ? 2 : 1);
    }

    /** Rows of a name column and a description column {@code gap} spaces after the longest name. */
    private static void table(StringBuilder t, List<String[]> rows, int gap) {
        int column = 0;
        for (String[] r : rows) {
            if (r[0].length() <= NAMES_MAX) {
                column = Math.max(column, r[0].length() + gap);
            }
        }
        for (String[] r : rows) {
            t.append(r[0]);
            if (r[0].length() + gap > column) {
                t.append('\n').append(" ".repeat(column));
            } else {
                t.append(" ".repeat(column - r[0].length()));
            }
            wrapWords(t, r[1], "", " ".repeat(column + 2));
        }
    }

    /** {@code line} as it is when it fits (its spaces kept), else wrapped at spaces. */
    private static void wrap(StringBuilder t, String line) {
        if (line.length() <= WIDTH) {
            t.append(line).append('\n');
        } else {
            wrapWords(t, line, "", "");
        }
    }

    /**
     * {@code text} after {@code lead} (already on the line when empty), broken at spaces before
     * {@link #WIDTH}; each following line starts with {@code indent}. A word longer than a line
     * stands alone on its line.
     */
    private static void wrapWords(StringBuilder t, String text, String lead, String indent) {
        int lineStart = t.lastIndexOf("\n") + 1;
        t.append(lead);
        boolean first = true;
        for (String word : text.split(" ")) {
            if (word.isEmpty()) {
                continue;
            }
            int used = t.length() - lineStart;
            if (!first && used + 1 + word.length() > WIDTH) {
                t.append('\n');
                lineStart = t.length();
                t.append(indent);
            } else if (!first) {
                t.append(' ');
            }
            t.append(word);
            first = false;
        }
        t.append('\n');
    }
}
