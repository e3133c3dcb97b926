package dev.vcap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.vcap.cli.args.CommandDef;
import dev.vcap.cli.args.OptionDef;

/**
 * The man pages and the completion script generated from the command tables: one page per command
 * with every visible option, pages that man renders, and a script that bash (and zsh, where
 * installed) loads and that completes commands and options.
 */
class ManPagesTest {

    @TempDir
    static Path out;

    @BeforeAll
    static void generate() throws IOException {
        ManPages.writeAll(out);
    }

    static Path page(String name) {
        return out.resolve("man").resolve("man1").resolve(name + ".1");
    }

    record Run(int exitCode, String out) {
    }

    static Run run(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), text);
    }

    @Test
    void everyCommandHasAPageListingEachVisibleOption() throws IOException {
        List<CommandDef<?>> commands = Main.ROOT.commands();
        assertThat(commands).extracting(ManPages::pageName).contains("vcap-plan", "vcap-inspect", "vcap-simulate")
                .doesNotContain("vcap-help");
        try (var files = Files.list(out.resolve("man").resolve("man1"))) {
            assertThat(files.count()).isEqualTo(commands.size() + 1);
        }
        String main = Files.readString(page("vcap"));
        for (CommandDef<?> c : commands) {
            String text = Files.readString(page(ManPages.pageName(c)));
            assertThat(main).as("vcap.1 lists %s", ManPages.pageName(c))
                    .contains("\\fB" + ManPages.escape(ManPages.pageName(c)) + "\\fR(1)");
            for (OptionDef<?> o : c.options()) {
                String name = o.kind() == OptionDef.Kind.NEGATABLE ? "--[no-]" + o.longName().substring(2) : o.longName();
                if (!o.hidden()) {
                    assertThat(text).as("%s documents %s", ManPages.pageName(c), name).contains(ManPages.escape(name));
                } else {
                    assertThat(text).as("%s hides %s", ManPages.pageName(c), name)
                            .doesNotContain("\\fB" + ManPages.escape(name) + "\\fR");
                }
            }
        }
    }

    @Test
    void escapingKeepsHyphensLiteralAndNoLineStartsAControlSequence() {
        assertThat(ManPages.escape("--emit-vmm")).isEqualTo("\\-\\-emit\\-vmm");
        assertThat(ManPages.escape(".hidden")).isEqualTo("\\&.hidden");
        assertThat(ManPages.escape("a\\b")).isEqualTo("a\\eb");
        assertThat(ManPages.summary(Main.ROOT.command("plan")))
                .isEqualTo("Build a guest's config space and place PASID, PRI and ATS");
    }

    @Test
    void manRendersThePlanPage() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/man")), "man is not installed: skipping man -l");
        Run r = run(Map.of("MANWIDTH", "120"), "/usr/bin/man", "-l", page("vcap-plan").toString());
        assertThat(r.exitCode()).as(r.out()).isZero();
        String plain = r.out().replaceAll(".\b", ""); // man overstrikes bold and underline off a terminal
        assertThat(plain).contains("NAME").contains("vcap-plan - Build a guest's config space and place PASID, PRI and ATS")
                .contains("SYNOPSIS").contains("--emit-vmm=VMM").contains("Exit codes:").doesNotContain("\\f");
    }

    @Test
    void bashLoadsTheScriptAndCompletesCommandsAndOptions() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "bash is not installed");
        Path script = out.resolve("bash-completion").resolve("completions").resolve("vcap");
        Run r = run(Map.of(), "/bin/bash", "-c", "source '" + script + "' && complete -p vcap"
                + " && COMP_WORDS=(vcap pl) COMP_CWORD=1 COMP_LINE='vcap pl' COMP_POINT=7 && _complete_vcap"
                + " && echo \"words: ${COMPREPLY[*]}\""
                + " && COMP_WORDS=(vcap plan --emit-v) COMP_CWORD=2 COMP_LINE='vcap plan --emit-v' COMP_POINT=18"
                + " && _complete_vcap 2>/dev/null; echo \"options: ${COMPREPLY[*]}\"");
        assertThat(r.out()).contains("complete -o default -F _complete_vcap vcap").contains("words: plan")
                .contains("options: --emit-vmm");
    }

    @Test
    void zshLoadsTheScriptThroughBashcompinit() throws Exception {
        Path zsh = Path.of("/usr/bin/zsh");
        Assumptions.assumeTrue(Files.isExecutable(zsh), "zsh is not installed: skipping the zsh check");
        Path script = out.resolve("bash-completion").resolve("completions").resolve("vcap");
        Run r = run(Map.of(), zsh.toString(), "-f", "-c", "autoload -U +X compinit && compinit -u"
                + " && source '" + script + "' && print -r -- \"vcap: ${_comps[vcap]}\"");
        assertThat(r.out()).as(r.out()).contains("vcap: _bash_complete");
    }
}
