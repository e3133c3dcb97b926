package dev.vcap.vmm.config;

/** An edit the chain editor refused; nothing was changed. */
public final class ChainEditException extends RuntimeException {

    /** Why an edit was refused. */
    public enum Reason {
        /** The structure would not fit in its space (standard 0x40-0xff, extended 0x100-0xfff). */
        OUT_OF_BOUNDS,
        /** Capabilities start on a dword boundary. */
        UNALIGNED,
        /** The structure would overlap a capability's architected length (visible or hidden). */
        OVERLAP,
        /** The device has no extended list (not PCI Express, or a 256-byte config space). */
        NO_EXTENDED_SPACE,
        /** The capability to hide is not in the guest-visible chain. */
        NOT_VISIBLE
    }

    private final Reason reason;

    public ChainEditException(Reason reason, String message) {
        this(reason, message, true);
    }

    private ChainEditException(Reason reason, String message, boolean stackTrace) {
        super(message, null, stackTrace, stackTrace);
        this.reason = reason;
    }

    /**
     * A refusal reported as a value ({@link ChainEditor#check}) rather than thrown: placement asks
     * about every candidate offset of extended space, so no stack trace is taken.
     */
    static ChainEditException asValue(Reason reason, String message) {
        return new ChainEditException(reason, message, false);
    }

    /** This refusal as an exception to throw, with the stack of the edit that throws it. */
    ChainEditException toThrow() {
        return new ChainEditException(reason, getMessage());
    }

    public Reason reason() {
        return reason;
    }
}
