package dev.vcap.cli;

import dev.vcap.cli.args.ArgParser;
import dev.vcap.cli.args.CommandDef;
import dev.vcap.cli.args.UsageException;
import dev.vcap.cli.args.UsageText;
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

/**
 * The {@code vcap} command: reads the command line against the commands' tables ({@code DEF} of
 * each command class, {@link dev.vcap.cli.args}) and runs the one it names.
 */
public final class Main {

    /** The root and its commands, in the order {@code vcap --help} lists them. */
    static final CommandDef<Void> ROOT = CommandDef.root("vcap", List.of(SimulateCommand.DEF, InspectCommand.DEF,
                    PlanCommand.DEF, SurveyCommand.DEF, ReportCommand.DEF, CheckMigrationCommand.DEF, PoolCommand.DEF,
                    HostCommand.DEF, ProbeCommand.DEF, ServeCommand.DEF, CompareGuestCommand.DEF))
            .description(
                    "PASID, PRI and ATS for assigned PCIe devices: decode real config spaces,",
                    "build the guest's virtual config space, place synthesized capabilities,",
                    "and check migrations.",
                    "")
            .footer("",
                    "Exit codes: 0 ok, 1 internal error, 2 usage, 3 bad input, 4 refused,",
                    "5 host unavailable (see docs/CLI.md). Run 'vcap COMMAND --help' for a",
                    "command's options.");

    private final OutputStream out;
    private final Watched watched;
    private final PrintWriter outText;
    private final PrintWriter errText;

    private Main(Watched out, PrintWriter outText, PrintWriter errText) {
        this.out = out;
        this.watched = out;
        this.outText = outText;
        this.errText = errText;
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
        int code = run(args, new BufferedOutputStream(stdout, 1 << 16), stderr);
        if (code != ExitCodes.OK) {
            System.exit(code);
        }
        // success returns: System.exit would start the platform's logging (Runtime.exit logs the
        // call), 10 ms of a short run; vcap's threads are daemons, so the JVM ends here with 0
    }

    /**
     * Runs a command line with the given standard output and error; returns the exit code. Output
     * is flushed before returning.
     */
    public static int run(String[] args, OutputStream stdout, OutputStream stderr) {
        Watched watched = new Watched(stdout);
        PrintWriter out = new PrintWriter(new OutputStreamWriter(watched, StandardCharsets.UTF_8), false);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(stderr, StandardCharsets.UTF_8), true);
        int code = new Main(watched, out, err).execute(args);
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

    private int execute(String[] args) {
        try {
            // instanceof, not a pattern switch: the switch's bootstrap spins classes at run time, which
            // the ahead-of-time cache does not hold, and costs a short run 10-15 ms (docs/PERFORMANCE.md)
            ArgParser.Parsed parsed = ArgParser.parse(ROOT, args);
            if (parsed instanceof ArgParser.Run<?> run) {
                Command c = (Command) run.command();
                c.main = this;
                return c.call();
            }
            if (parsed instanceof ArgParser.Help help) {
                outText.print(UsageText.of(help.def(), qualifiedName(help.def())));
            } else {
                outText.println("vcap " + version() + "\nJava " + Runtime.version());
            }
            return ExitCodes.OK;
        } catch (UsageException e) {
            outText.flush();
            errText.println("vcap: " + e.getMessage());
            CommandDef<?> command = args.length > 0 ? ROOT.command(args[0]) : null;
            if (!e.suggestions().isEmpty()) {
                errText.println(e.suggestions().getFirst().startsWith("-")
                        ? "Possible solutions: " + String.join(", ", e.suggestions())
                        : "Did you mean: " + String.join(" or ", e.suggestions().stream().map(s -> "vcap " + s).toList())
                                + "?");
            }
            errText.println("Try '" + (command == null ? "vcap" : qualifiedName(command)) + " --help'.");
            return ExitCodes.USAGE;
        } catch (Exception ex) {
            outText.flush();
            if (readerGone(ex)) {
                return ExitCodes.OK; // the reader stopped reading (| head): the command stopped too, quietly
            }
            if (ex instanceof DumpFormatException || ex instanceof BadInputException
                    || ex instanceof FileFormatException) {
                errText.println("vcap: " + ex.getMessage());
                return ExitCodes.BAD_INPUT;
            }
            if (ex instanceof HostException host) {
                errText.println("vcap: " + host.getMessage());
                return ExitCodes.UNAVAILABLE;
            }
            if (ex instanceof UncheckedIOException io) {
                errText.println("vcap: " + io.getCause().getMessage());
                return ExitCodes.BAD_INPUT;
            }
            errText.println("vcap: internal error, please report it:");
            ex.printStackTrace(errText);
            return ExitCodes.INTERNAL;
        }
    }

    /** {@code vcap} or {@code vcap plan}: how help and man pages name a command. */
    static String qualifiedName(CommandDef<?> def) {
        return def == ROOT ? ROOT.name() : ROOT.name() + " " + def.name();
    }

    /** Standard output, as text. */
    PrintWriter out() {
        return outText;
    }

    /** Standard error, as text: messages, progress. */
    PrintWriter err() {
        return errText;
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
