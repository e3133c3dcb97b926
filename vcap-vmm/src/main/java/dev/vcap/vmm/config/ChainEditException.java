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
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
