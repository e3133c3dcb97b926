package dev.vcap.vfiouser.server;

import dev.vcap.vfiouser.transport.UnixSocket;
import dev.vcap.vfiouser.transport.UnixSocketListener;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Serves one device on a UNIX socket path to one client at a time: binds, waits for QEMU, serves
 * the connection to its end, and stops when the client disconnects cleanly (QEMU exited). A
 * connection closed because the client broke the protocol is reported and the server waits for
 * the next client: nothing a client sends takes the process down. The socket file is removed
 * however it ends; interrupting the serving thread (what {@code vcap serve} does on SIGINT and
 * SIGTERM) ends it cleanly too.
 */
public final class VfioUserServer {

    private final ServedDevice device;
    private final Consumer<ServerEvent> events;

    public VfioUserServer(ServedDevice device, Consumer<ServerEvent> events) {
        this.device = device;
        this.events = events;
    }

    /**
     * Binds {@code socket}, serves until a client disconnects cleanly or the thread is interrupted,
     * and returns why it stopped.
     *
     * @throws IOException when the socket cannot be bound (the path exists, is too long, ...)
     */
    public String run(Path socket) throws IOException {
        try (UnixSocketListener listener = UnixSocketListener.bind(socket)) {
            events.accept(new ServerEvent.Listening(socket));
            String why;
            try {
                String reason;
                do {
                    UnixSocket connection = listener.accept();
                    events.accept(new ServerEvent.Connected());
                    reason = new Session(connection, device, events).serve();
                } while (reason != null);
                why = "the client disconnected";
            } catch (InterruptedIOException e) {
                why = "interrupted";
            }
            events.accept(new ServerEvent.Stopped(why));
            return why;
        }
    }
}
