package dev.vcap.vfiouser.protocol;

import dev.vcap.vfiouser.transport.ReceivedFd;
import dev.vcap.vfiouser.transport.Transport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Frames messages out of a connection's byte stream: a 16-byte header, then {@code size - 16}
 * payload bytes. The header is checked before any payload is read: a size below 16 or above the
 * limit, or a type other than command and reply, is a {@link ProtocolException} and nothing more
 * is read. Descriptors that arrive while a message is read belong to that message; when the
 * message is refused they are closed here.
 */
public final class MessageReader {

    private final Transport transport;
    private final int maxSize;

    /**
     * @param maxSize the largest whole message accepted, header included (the negotiated
     *                transfer size plus the largest command's fixed part)
     */
    public MessageReader(Transport transport, int maxSize) {
        this.transport = transport;
        this.maxSize = maxSize;
    }

    /**
     * The next message, or empty when the stream ends cleanly between messages.
     *
     * @throws ProtocolException for a truncated or malformed message (its descriptors closed)
     */
    public Optional<Message> next() throws IOException, ProtocolException {
        List<ReceivedFd> fds = new ArrayList<>();
        try {
            ByteBuffer head = ByteBuffer.allocate(Header.LENGTH);
            int got = fill(head, fds);
            if (got == 0) {
                closeAll(fds);
                return Optional.empty();
            }
            if (head.hasRemaining()) {
                throw new ProtocolException(ProtocolException.Reason.TRUNCATED_HEADER, String.format(
                        "the connection ended %d bytes into a %d-byte message header", got, Header.LENGTH));
            }
            Header h = Header.decode(head.flip());
            if (Integer.compareUnsigned(h.size(), Header.LENGTH) < 0) {
                throw new ProtocolException(ProtocolException.Reason.SIZE_BELOW_HEADER, String.format(
                        "%s: message size %d is below the %d-byte header", h, Integer.toUnsignedLong(h.size()),
                        Header.LENGTH));
            }
            if (Integer.compareUnsigned(h.size(), maxSize) > 0) {
                throw new ProtocolException(ProtocolException.Reason.SIZE_ABOVE_LIMIT, String.format(
                        "%s: message size %d is above the %d bytes this server accepts", h,
                        Integer.toUnsignedLong(h.size()), maxSize));
            }
            if (h.type() != Header.TYPE_COMMAND && h.type() != Header.TYPE_REPLY) {
                throw new ProtocolException(ProtocolException.Reason.UNKNOWN_TYPE, String.format(
                        "%s: message type %d is neither command (0) nor reply (1)", h, h.type()));
            }
            ByteBuffer payload = ByteBuffer.allocate(h.payloadLength());
            int body = fill(payload, fds);
            if (payload.hasRemaining()) {
                throw new ProtocolException(ProtocolException.Reason.TRUNCATED_PAYLOAD, String.format(
                        "%s: the connection ended %d bytes into its %d-byte payload", h, body, h.payloadLength()));
            }
            return Optional.of(new Message(h, payload.flip(), fds));
        } catch (ProtocolException | IOException | RuntimeException e) {
            closeAll(fds);
            throw e;
        }
    }

    /** Reads until {@code b} is full or the stream ends; returns the bytes read. */
    private int fill(ByteBuffer b, List<ReceivedFd> fds) throws IOException {
        int total = 0;
        while (b.hasRemaining()) {
            int n = transport.read(b, fds);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private static void closeAll(List<ReceivedFd> fds) {
        fds.forEach(ReceivedFd::close);
    }
}
