package dev.vcap.cli;

import dev.vcap.host.HostException;
import dev.vcap.pci.dump.DumpFormatException;
import dev.vcap.vmm.files.FileFormatException;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code vcap} command. */
@Command(name = "vcap",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        usageHelpAutoWidth = true,
        description = {
            "PASID, PRI and ATS for assigned PCIe devices: decode real config spaces,",
            "build the guest's virtual config space, place synthesized capabilities,",
            "and check migrations.",
            ""},
        subcommands = {SimulateCommand.class, InspectCommand.class, PlanCommand.class, SurveyCommand.class,
            ReportCommand.class, CheckMigrationCommand.class, PoolCommand.class, HostCommand.class,
            ProbeCommand.class, ServeCommand.class, CompareGuestCommand.class, CommandLine.HelpCommand.class},
        footer = {"",
            "Exit codes: 0 ok, 1 internal error, 2 usage, 3 bad input, 4 refused,",
            "5 host unavailable (see docs/CLI.md). Run 'vcap COMMAND --help' for a",
            "command's options."})
public final class Main {

    private final OutputStream out;

    private Main(OutputStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
        System.exit(run(args, out, System.err));
    }

    /**
     * Runs a command line with the given standard output and error; returns the exit code. Output
     * is flushed before returning.
     */
    public static int run(String[] args, OutputStream stdout, OutputStream stderr) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8), false);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(stderr, StandardCharsets.UTF_8), true);
        CommandLine cl = new CommandLine(new Main(stdout));
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            out.flush();
            if (ex instanceof DumpFormatException || ex instanceof BadInputException
                    || ex instanceof FileFormatException) {
                err.println("vcap: " + ex.getMessage());
                return ExitCodes.BAD_INPUT;
            }
            if (ex instanceof HostException host) {
                err.println("vcap: " + host.getMessage());
                return ExitCodes.UNAVAILABLE;
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
        err.flush();
        try {
            stdout.flush();
        } catch (java.io.IOException e) {
            if ("Broken pipe".equals(e.getMessage())) {
                return code; // the reader stopped reading (| head): not an error worth a message
            }
            err.println("vcap: cannot write output: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        return code;
    }

    /** The command line's model, not attached to any stream: for the man pages and completion built from it. */
    static CommandLine commandLine() {
        return new CommandLine(new Main(OutputStream.nullOutputStream()));
    }

    /** Standard output as bytes, for commands that stream large output (JSON). */
    OutputStream rawOut() {
        return out;
    }

    /** Reports vcap's version and the Java runtime's. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"vcap " + version(), "Java " + Runtime.version()};
        }
    }

    /**
     * The version of the module (a linked runtime, the module path), else of the jar's manifest
     * (the class path), else "development build" (classes).
     */
    static String version() {
        ModuleDescriptor module = Main.class.getModule().getDescriptor();
        String manifest = Main.class.getPackage().getImplementationVersion();
        return Optional.ofNullable(module).flatMap(ModuleDescriptor::rawVersion)
                .orElse(manifest == null ? "development build" : manifest);
    }
}
