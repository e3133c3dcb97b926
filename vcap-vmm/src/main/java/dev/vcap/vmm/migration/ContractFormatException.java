package dev.vcap.vmm.migration;

/**
 * A contract document that cannot be trusted or read: malformed or truncated JSON, an unknown
 * version, a digest that does not match its contents, or contents that contradict themselves
 * (overlapping capabilities, offsets outside config space). A destination refuses it.
 */
public final class ContractFormatException extends RuntimeException {

    /** Why a contract was rejected. */
    public enum Reason {
        MALFORMED_JSON, UNKNOWN_FORMAT, UNKNOWN_VERSION, DIGEST_MISMATCH, MISSING_FIELD, BAD_VALUE, OUT_OF_RANGE, OVERLAP
    }

    private final Reason reason;

    public ContractFormatException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
