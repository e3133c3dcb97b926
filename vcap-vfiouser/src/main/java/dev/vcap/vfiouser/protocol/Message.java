package dev.vcap.vfiouser.protocol;

import dev.vcap.vfiouser.transport.ReceivedFd;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * One received message: its header, its payload (little-endian, positioned at 0) and the
 * descriptors that came with it, which the receiver owns and must close.
 */
public record Message(Header header, ByteBuffer payload, List<ReceivedFd> fds) {

    public Message {
        payload = payload.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        fds = List.copyOf(fds);
    }

    /** Closes every descriptor that came with the message. */
    public void closeFds() {
        fds.forEach(ReceivedFd::close);
    }

    /** The payload as a new little-endian buffer from position 0. */
    public ByteBuffer body() {
        return payload.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(0);
    }
}
