package dev.vcap.cli;

import dev.vcap.pci.dump.DumpFormatException;
import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code vcap} command. */
@Command(name = "vcap",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "PASID, PRI and ATS for assigned PCIe devices: decode real config spaces, build the guest's",
            "virtual config space, place synthesized capabilities, and check migrations.",
            ""},
        subcommands = {InspectCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 internal error, 2 usage, 3 bad input, 4 refused (see docs/CLI.md).",
            "Run 'vcap COMMAND --help' for a command's options and examples."})
public final class Main {

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(
                new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), 1 << 16), false);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        System.exit(run(args, out, err));
    }

    /** Runs the command line; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof DumpFormatException || ex instanceof BadInputException) {
                err.println("vcap: " + ex.getMessage());
                return ExitCodes.BAD_INPUT;
            }
            if (ex instanceof UncheckedIOException io) {
                err.println("vcap: " + io.getCause().getMessage());
                return ExitCodes.BAD_INPUT;
            }
            err.println("vcap: internal error, please report it:");
            ex.printStackTrace(err);
            return ExitCodes.INTERNAL;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("vcap: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            err.println("Try 'vcap " + (ex.getCommandLine() == cl ? "" : ex.getCommandLine().getCommandName() + " ")
                    + "--help'.");
            return ExitCodes.USAGE;
        });
        int code = cl.execute(args);
        out.flush();
        return code;
    }

    /** Reports the version from the jar manifest, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"vcap " + (v == null ? "development build" : v), "Java " + Runtime.version()};
        }
    }
}
