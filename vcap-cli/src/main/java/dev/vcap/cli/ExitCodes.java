package dev.vcap.cli;

/**
 * Exit codes of every vcap command (documented in docs/CLI.md).
 */
public final class ExitCodes {

    /** The command did what was asked. */
    public static final int OK = 0;
    /** A bug in vcap: an unexpected exception (reported with its stack trace). */
    public static final int INTERNAL = 1;
    /** Bad usage: unknown option, missing argument, conflicting options. */
    public static final int USAGE = 2;
    /** Bad input: a file is missing, unreadable or malformed; the message names file and line. */
    public static final int BAD_INPUT = 3;
    /** A check said no: a migration refused, a capability that could not be placed when required. */
    public static final int REFUSED = 4;
    /**
     * The host lacks what a live command needs: no function bound to vfio-pci, no iommufd or vfio
     * device files, no permission to open them, or the kernel refused to open or bind the device.
     */
    public static final int UNAVAILABLE = 5;

    private ExitCodes() {
    }
}
