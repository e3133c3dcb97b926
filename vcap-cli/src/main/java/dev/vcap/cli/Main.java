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
import java.util.List;
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
        footer = {"",
            "Exit codes: 0 ok, 1 internal error, 2 usage, 3 bad input, 4 refused,",
            "5 host unavailable (see docs/CLI.md). Run 'vcap COMMAND --help' for a",
            "command's options."})
public final class Main {

    /**
     * The commands, in the order {@code vcap --help} lists them. picocli builds a command's model by
     * reflection over its annotations, which is most of a short run's time: a run builds the full
     * model of the command it runs (and of the one {@code vcap help} is asked about) and lists the
     * others by name and header alone ({@link #commandLine(Main, String[])}).
     */
    static final List<Class<?>> COMMANDS = List.of(SimulateCommand.class, InspectCommand.class, PlanCommand.class,
            SurveyCommand.class, ReportCommand.class, CheckMigrationCommand.class, PoolCommand.class, HostCommand.class,
            ProbeCommand.class, ServeCommand.class, CompareGuestCommand.class, CommandLine.HelpCommand.class);

    private final OutputStream out;
    private final Watched watched;

    private Main(Watched out) {
        this.out = out;
        this.watched = out;
    }

    public static void main(String[] args) {
        // a progress bar on the terminal is erased before output or a message lands on its line
        OutputStream stdout = new FileOutputStream(FileDescriptor.out);
        OutputStream stderr = System.err;
        if (Progress.isTerminal(2)) {
            stderr = Progress.erasingBar(new FileOutputStream(FileDescriptor.err));
            if (Progress.isTerminal(1)) {
                stdout = Progress.erasingBar(stdout);
            }
        }
        System.exit(run(args, new BufferedOutputStream(stdout, 1 << 16), stderr));
    }

    /**
     * Runs a command line with the given standard output and error; returns the exit code. Output
     * is flushed before returning.
     */
    public static int run(String[] args, OutputStream stdout, OutputStream stderr) {
        Watched watched = new Watched(stdout);
        PrintWriter out = new PrintWriter(new OutputStreamWriter(watched, StandardCharsets.UTF_8), false);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(stderr, StandardCharsets.UTF_8), true);
        CommandLine cl = commandLine(new Main(watched), args);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            out.flush();
            if (readerGone(ex)) {
                return ExitCodes.OK; // the reader stopped reading (| head): the command stopped too, quietly
            }
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
            watched.flush();
        } catch (java.io.IOException e) {
            if (readerGone(e)) {
                return code; // the reader stopped reading (| head): not an error worth a message
            }
            err.println("vcap: cannot write output: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        return code;
    }

    /** The command line's model, not attached to any stream: for the man pages and completion built from it. */
    static CommandLine commandLine() {
        return commandLine(new Main(new Watched(OutputStream.nullOutputStream())), null);
    }

    /**
     * The command line for {@code args}: every command's full model when {@code args} is null, else
     * the full model of the command {@code args} runs or asks help about, and the others as their
     * name and header, all {@code vcap --help} and a misspelt command's suggestions need of them.
     */
    private static CommandLine commandLine(Main main, String[] args) {
        CommandLine cl = new CommandLine(main);
        for (Class<?> c : COMMANDS) {
            Command command = c.getAnnotation(Command.class);
            if (args == null || runs(command.name(), args)) {
                try {
                    cl.addSubcommand(c.getDeclaredConstructor().newInstance());
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(c + " cannot be built", e);
                }
            } else {
                CommandLine.Model.CommandSpec listed = CommandLine.Model.CommandSpec.create().name(command.name());
                listed.usageMessage().header(command.header()).description(command.description())
                        .hidden(command.hidden());
                cl.addSubcommand(command.name(), new CommandLine(listed));
            }
        }
        return cl;
    }

    /** Whether {@code args} runs the command {@code name} or asks {@code help} about it. */
    private static boolean runs(String name, String[] args) {
        return args.length > 0 && (args[0].equals(name) || args[0].equals("help") && args.length > 1
                && args[1].equals(name));
    }

    /** Standard output as bytes, for commands that stream large output (JSON). */
    OutputStream rawOut() {
        return out;
    }

    /**
     * Throws the error writing standard output met, if any, for a command that streams: a
     * {@code PrintWriter} keeps such errors to itself, and a command whose reader has gone ({@code
     * | head}) should stop reading its inputs rather than work on for nobody.
     */
    void checkOutput() {
        java.io.IOException e = watched.failure;
        if (e != null) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether {@code e}, or what caused it, is a write to a pipe nobody reads any more. */
    static boolean readerGone(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.io.IOException && "Broken pipe".equals(t.getMessage())) {
                return true;
            }
        }
        return false;
    }

    /** Standard output, remembering the first error a write or flush met. */
    private static final class Watched extends java.io.FilterOutputStream {
        volatile java.io.IOException failure;

        Watched(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws java.io.IOException {
            try {
                out.write(b);
            } catch (java.io.IOException e) {
                throw failed(e);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            try {
                out.write(b, off, len);
            } catch (java.io.IOException e) {
                throw failed(e);
            }
        }

        @Override
        public void flush() throws java.io.IOException {
            try {
                out.flush();
            } catch (java.io.IOException e) {
                throw failed(e);
            }
        }

        private java.io.IOException failed(java.io.IOException e) {
            if (failure == null) {
                failure = e;
            }
            return e;
        }
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
