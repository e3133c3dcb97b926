package dev.vcap.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Writes the man pages (troff, section 1: {@code vcap.1} and one {@code vcap-COMMAND.1} per
 * command) and the shell completion script from the picocli model, so they list exactly the
 * commands and options the build has. Troff is written directly rather than through picocli's
 * AsciiDoc generator: no converter (asciidoctor) is then needed at build time.
 *
 * <p>Run at build time: {@code ManPages OUTDIR} writes {@code OUTDIR/man/man1/*.1} and
 * {@code OUTDIR/bash-completion/completions/vcap}.
 */
public final class ManPages {

    private ManPages() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: ManPages OUTDIR");
            System.exit(ExitCodes.USAGE);
        }
        try {
            writeAll(Path.of(args[0]));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code out/man/man1/*.1} and {@code out/bash-completion/completions/vcap}. */
    static void writeAll(Path out) throws IOException {
        Path man1 = Files.createDirectories(out.resolve("man").resolve("man1"));
        CommandLine root = Main.commandLine();
        write(man1.resolve("vcap.1"), page(root));
        for (CommandLine sub : documented(root)) {
            write(man1.resolve(pageName(sub) + ".1"), page(sub));
        }
        Path completions = Files.createDirectories(out.resolve("bash-completion").resolve("completions"));
        write(completions.resolve("vcap"), completion());
    }

    /** The bash completion script (zsh runs it through bashcompinit). */
    static String completion() {
        return AutoComplete.bash("vcap", Main.commandLine());
    }

    /** The commands that get a page: every subcommand but picocli's {@code help}. */
    static List<CommandLine> documented(CommandLine root) {
        return root.getSubcommands().values().stream().distinct()
                .filter(c -> !c.getCommandSpec().helpCommand() && !c.getCommandSpec().usageMessage().hidden()).toList();
    }

    /** {@code vcap} or {@code vcap-plan}. */
    static String pageName(CommandLine c) {
        return c.getCommandSpec().qualifiedName("-");
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** One command's page. */
    static String page(CommandLine c) {
        CommandSpec spec = c.getCommandSpec();
        boolean root = spec.parent() == null;
        String name = pageName(c);
        List<String> description = Arrays.asList(spec.usageMessage().description());
        StringBuilder t = new StringBuilder();
        t.append(".\\\" generated from the picocli model of vcap; do not edit\n");
        t.append(".TH ").append(name.toUpperCase(Locale.ROOT)).append(" 1 \"\" \"vcap ").append(Main.version())
                .append("\" \"vcap manual\"\n");
        t.append(".SH NAME\n").append(escape(name)).append(" \\- ").append(escape(summary(spec))).append('\n');
        CommandLine.Help help = new CommandLine.Help(spec,
                new CommandLine.Help.ColorScheme.Builder(CommandLine.Help.Ansi.OFF).build());
        t.append(".SH SYNOPSIS\n.nf\n").append(literal(help.synopsis(0).stripTrailing())).append("\n.fi\n");
        t.append(".SH DESCRIPTION\n").append(paragraphs(description));
        if (root) {
            t.append(".SH COMMANDS\n");
            for (CommandLine sub : documented(c)) {
                t.append(".TP\n\\fB").append(escape(pageName(sub))).append("\\fR(1)\n")
                        .append(escape(summary(sub.getCommandSpec()))).append('\n');
            }
        }
        List<PositionalParamSpec> params = spec.positionalParameters().stream().filter(p -> !p.hidden()).toList();
        if (!params.isEmpty()) {
            t.append(".SH ARGUMENTS\n");
            for (PositionalParamSpec p : params) {
                t.append(".TP\n\\fI").append(escape(p.paramLabel())).append("\\fR")
                        .append(p.arity().max() > 1 ? "..." : "").append('\n')
                        .append(escape(String.join(" ", p.description()))).append('\n');
            }
        }
        t.append(".SH OPTIONS\n");
        for (OptionSpec o : spec.options()) {
            if (o.hidden()) {
                continue;
            }
            String text = String.join(" ", o.description());
            if (text.isBlank() && o.versionHelp()) {
                text = "Print version information and exit.";
            }
            t.append(".TP\n").append(optionNames(o)).append('\n').append(escape(text)).append('\n');
        }
        String[] footer = spec.usageMessage().footer();
        if (footer.length > 0) {
            t.append(".SH NOTES\n.nf\n").append(literal(String.join("\n", footer).strip())).append("\n.fi\n");
        }
        t.append(".SH SEE ALSO\n");
        List<String> see = new ArrayList<>();
        if (!root) {
            see.add("\\fBvcap\\fR(1)");
        }
        documented(root ? c : c.getParent()).stream().filter(s -> s != c)
                .forEach(s -> see.add("\\fB" + escape(pageName(s)) + "\\fR(1)"));
        t.append(String.join(",\n", see)).append("\n.PP\nThe documentation of the project: docs/*.md in its"
                + " repository; docs/CLI.md and docs/JSON.md describe every command and its JSON.\n");
        return t.toString();
    }

    private static String optionNames(OptionSpec o) {
        List<String> names = new ArrayList<>();
        for (String n : o.names()) {
            String shown = o.negatable() && n.startsWith("--") ? "--[no-]" + n.substring(2) : n;
            names.add("\\fB" + escape(shown) + "\\fR");
        }
        String label = o.arity().max() > 0 && !o.typeInfo().isBoolean()
                ? "=\\fI" + escape(o.paramLabel()) + "\\fR" + (o.arity().min() == 0 ? "?" : "") : "";
        return String.join(", ", names) + label;
    }

    /**
     * The one-line summary for NAME and the command list: the command's picocli {@code header} when
     * it has one, else its description up to the first clause break (": ", " -- ", " (", "; ", ". ").
     */
    static String summary(CommandSpec spec) {
        String[] header = spec.usageMessage().header();
        String text = header.length > 0 ? String.join(" ", header)
                : String.join(" ", Arrays.stream(spec.usageMessage().description()).map(String::strip).toList());
        int cut = text.length();
        for (String brk : List.of(": ", " -- ", " (", "; ", ". ")) {
            int at = text.indexOf(brk);
            if (at > 0 && at < cut) {
                cut = at;
            }
        }
        return text.substring(0, cut).strip().replaceAll("[.:]$", "");
    }

    /** Description lines as filled paragraphs; blank lines separate them. */
    private static String paragraphs(List<String> lines) {
        StringBuilder t = new StringBuilder();
        StringBuilder para = new StringBuilder();
        for (String line : lines) {
            if (line.isBlank()) {
                flush(t, para);
            } else {
                para.append(para.isEmpty() ? "" : " ").append(line.strip());
            }
        }
        flush(t, para);
        return t.toString();
    }

    private static void flush(StringBuilder t, StringBuilder para) {
        if (!para.isEmpty()) {
            t.append(t.isEmpty() ? "" : ".PP\n").append(escape(para.toString())).append('\n');
            para.setLength(0);
        }
    }

    /** Text for a filled paragraph: backslashes and hyphens escaped, no line starting with a control character. */
    static String escape(String s) {
        String e = s.replace("\\", "\\e").replace("-", "\\-");
        return e.startsWith(".") || e.startsWith("'") ? "\\&" + e : e;
    }

    /** Preformatted lines, each escaped. */
    private static String literal(String block) {
        return String.join("\n", block.lines().map(ManPages::escape).toList());
    }
}
