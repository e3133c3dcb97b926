package dev.vcap.vfiouser.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * One connection's byte stream with the descriptors that travel beside it: a UNIX socket
 * ({@link UnixSocket}) in production, {@link PipeTransport} in tests.
 */
public interface Transport extends AutoCloseable {

    /**
     * Reads at least one byte into {@code dst} (up to its remaining space), blocking until some
     * arrive; returns -1 at the end of the stream. Descriptors received with the bytes are added
     * to {@code fds}, and the caller owns them.
     *
     * @throws java.io.InterruptedIOException when the reading thread is interrupted (shutdown)
     */
    int read(ByteBuffer dst, List<ReceivedFd> fds) throws IOException;

    /** Writes all of {@code src}. */
    void write(ByteBuffer src) throws IOException;

    /** Closes the connection; a second call does nothing. */
    @Override
    void close();
}
