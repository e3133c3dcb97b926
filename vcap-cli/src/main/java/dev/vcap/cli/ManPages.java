package dev.vcap.cli;

import dev.vcap.cli.args.CommandDef;
import dev.vcap.cli.args.OptionDef;
import dev.vcap.cli.args.ParamDef;
import dev.vcap.cli.args.UsageText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes the man pages (troff, section 1: {@code vcap.1} and one {@code vcap-COMMAND.1} per
 * command) and the bash completion script from the commands' tables ({@code Main.ROOT}), so they
 * list exactly the commands and options the build has.
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
        write(man1.resolve("vcap.1"), page(Main.ROOT));
        for (CommandDef<?> c : Main.ROOT.commands()) {
            write(man1.resolve(pageName(c) + ".1"), page(c));
        }
        Path completions = Files.createDirectories(out.resolve("bash-completion").resolve("completions"));
        write(completions.resolve("vcap"), completion());
    }

    /**
     * The bash completion script (zsh runs it through bashcompinit): the commands after {@code
     * vcap}, each command's visible options after it, file names elsewhere.
     */
    static String completion() {
        StringBuilder t = new StringBuilder();
        t.append("# bash completion for vcap; generated from vcap's command tables, do not edit\n");
        t.append("if [ -n \"${ZSH_VERSION-}\" ]; then autoload -U +X bashcompinit && bashcompinit; fi\n");
        t.append("_complete_vcap() {\n");
        t.append("    local cur=\"${COMP_WORDS[COMP_CWORD]}\" words\n");
        t.append("    if (( COMP_CWORD == 1 )); then\n");
        t.append("        words=\"").append(String.join(" ", Main.ROOT.commands().stream().map(CommandDef::name)
                .toList())).append(" help ").append(optionWords(Main.ROOT)).append("\"\n");
        t.append("    else\n");
        t.append("        case \"${COMP_WORDS[1]}\" in\n");
        for (CommandDef<?> c : Main.ROOT.commands()) {
            t.append("            ").append(c.name()).append(") words=\"").append(optionWords(c)).append("\" ;;\n");
        }
        t.append("            help) words=\"").append(String.join(" ", Main.ROOT.commands().stream()
                .map(CommandDef::name).toList())).append("\" ;;\n");
        t.append("            *) words=\"\" ;;\n");
        t.append("        esac\n");
        t.append("        if [[ \"$cur\" != -* && \"${COMP_WORDS[1]}\" != help ]]; then\n");
        t.append("            return 0 # a file name: complete -o default completes it\n");
        t.append("        fi\n");
        t.append("    fi\n");
        t.append("    COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n");
        t.append("}\n");
        t.append("complete -o default -F _complete_vcap vcap\n");
        return t.toString();
    }

    /** A command's visible option names, a negatable one with its {@code --no-} form. */
    private static String optionWords(CommandDef<?> c) {
        List<String> words = new ArrayList<>();
        for (OptionDef<?> o : c.options()) {
            if (!o.hidden()) {
                words.addAll(o.names());
                if (o.kind() == OptionDef.Kind.NEGATABLE) {
                    words.add("--no-" + o.longName().substring(2));
                }
            }
        }
        return String.join(" ", words);
    }

    /** {@code vcap} or {@code vcap-plan}. */
    static String pageName(CommandDef<?> c) {
        return Main.qualifiedName(c).replace(' ', '-');
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** One command's page. */
    static String page(CommandDef<?> c) {
        boolean root = c == Main.ROOT;
        String name = pageName(c);
        StringBuilder t = new StringBuilder();
        t.append(".\\\" generated from vcap's command tables; do not edit\n");
        t.append(".TH ").append(name.toUpperCase(Locale.ROOT)).append(" 1 \"\" \"vcap ").append(Main.version())
                .append("\" \"vcap manual\"\n");
        t.append(".SH NAME\n").append(escape(name)).append(" \\- ").append(escape(summary(c))).append('\n');
        t.append(".SH SYNOPSIS\n.nf\n").append(literal(Main.qualifiedName(c) + " " + UsageText.synopsis(c)))
                .append("\n.fi\n");
        t.append(".SH DESCRIPTION\n").append(paragraphs(c.description()));
        if (root) {
            t.append(".SH COMMANDS\n");
            for (CommandDef<?> sub : c.commands()) {
                t.append(".TP\n\\fB").append(escape(pageName(sub))).append("\\fR(1)\n")
                        .append(escape(summary(sub))).append('\n');
            }
        }
        if (!c.params().isEmpty()) {
            t.append(".SH ARGUMENTS\n");
            for (ParamDef<?> p : c.params()) {
                t.append(".TP\n\\fI").append(escape(p.label())).append("\\fR").append(p.max() > 1 ? "..." : "")
                        .append('\n').append(escape(p.description())).append('\n');
            }
        }
        t.append(".SH OPTIONS\n");
        for (OptionDef<?> o : c.options()) {
            if (!o.hidden()) {
                t.append(".TP\n").append(optionNames(o)).append('\n').append(escape(o.description())).append('\n');
            }
        }
        if (!c.footer().isEmpty()) {
            t.append(".SH NOTES\n.nf\n").append(literal(String.join("\n", c.footer()).strip())).append("\n.fi\n");
        }
        t.append(".SH SEE ALSO\n");
        List<String> see = new ArrayList<>();
        if (!root) {
            see.add("\\fBvcap\\fR(1)");
        }
        Main.ROOT.commands().stream().filter(s -> s != c)
                .forEach(s -> see.add("\\fB" + escape(pageName(s)) + "\\fR(1)"));
        t.append(String.join(",\n", see)).append("\n.PP\nThe documentation of the project: docs/*.md in its"
                + " repository; docs/CLI.md and docs/JSON.md describe every command and its JSON.\n");
        return t.toString();
    }

    private static String optionNames(OptionDef<?> o) {
        List<String> names = new ArrayList<>();
        for (String n : o.names()) {
            String shown = o.kind() == OptionDef.Kind.NEGATABLE && n.startsWith("--") ? "--[no-]" + n.substring(2) : n;
            names.add("\\fB" + escape(shown) + "\\fR");
        }
        String label = switch (o.kind()) {
            case VALUE, REPEATABLE -> "=\\fI" + escape(o.label()) + "\\fR";
            case OPTIONAL_VALUE -> "=\\fI" + escape(o.label()) + "\\fR?";
            case FLAG, NEGATABLE -> "";
        };
        return String.join(", ", names) + label;
    }

    /**
     * The one-line summary for NAME and the command list: the command's header when it has one,
     * else (the root) its description up to the first clause break (": ", " -- ", " (", "; ", ". ").
     */
    static String summary(CommandDef<?> c) {
        String text = c.header() != null ? c.header()
                : String.join(" ", c.description().stream().map(String::strip).toList());
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
