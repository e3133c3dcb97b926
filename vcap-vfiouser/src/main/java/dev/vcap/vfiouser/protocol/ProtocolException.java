package dev.vcap.vfiouser.protocol;

/**
 * A message that breaks the protocol: the connection it came on cannot be trusted any more and is
 * closed, with {@link #getMessage()} as the logged reason. Semantic errors in a well-formed message
 * (an unknown region, an offset past its end) are not protocol errors: they get an error reply.
 */
public final class ProtocolException extends Exception {

    /** What was wrong, one value per corruption mode. */
    public enum Reason {
        /** The stream ended inside a header. */
        TRUNCATED_HEADER,
        /** The stream ended inside a message's payload. */
        TRUNCATED_PAYLOAD,
        /** The header's size is below the header's own 16 bytes. */
        SIZE_BELOW_HEADER,
        /** The header's size is above what the server accepts (the negotiated transfer size plus headers). */
        SIZE_ABOVE_LIMIT,
        /** The type bits are neither command (0) nor reply (1). */
        UNKNOWN_TYPE,
        /** A reply arrived, but the server sent no command. */
        UNEXPECTED_REPLY,
        /** The payload is shorter than the command's fixed structure. */
        SHORT_PAYLOAD,
        /** A count or argsz disagrees with the bytes the message carries. */
        INCONSISTENT_LENGTH,
        /** The first message was not VFIO_USER_VERSION, or a VERSION message is itself malformed. */
        BAD_VERSION
    }

    private final Reason reason;

    public ProtocolException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
