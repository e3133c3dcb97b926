package dev.vcap.vfiouser.transport;

/**
 * A file descriptor that arrived with a message (SCM_RIGHTS). Whoever holds it owns it: it is
 * closed exactly once, by {@link #close()}, whatever happens to the message it came with.
 */
public interface ReceivedFd extends AutoCloseable {

    /** The descriptor number in this process. */
    int fd();

    /** Closes the descriptor; a second call does nothing. */
    @Override
    void close();
}
