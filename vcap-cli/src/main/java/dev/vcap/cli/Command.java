package dev.vcap.cli;

import java.io.PrintWriter;

/**
 * A vcap command: its fields are filled from the command line by its table (a {@code static final
 * CommandDef DEF}), then {@link #call()} runs it with the {@link Main} it was started from.
 */
abstract class Command {

    /** The run this command belongs to: its output streams. Set before {@link #call()}. */
    Main main;

    /**
     * Runs the command; returns its exit code ({@link ExitCodes}).
     *
     * @throws dev.vcap.cli.args.UsageException for options that conflict or are out of range (exit 2)
     */
    abstract Integer call() throws Exception;

    /** Standard output, as text. */
    final PrintWriter out() {
        return main.out();
    }

    /** Standard error, as text. */
    final PrintWriter err() {
        return main.err();
    }
}
