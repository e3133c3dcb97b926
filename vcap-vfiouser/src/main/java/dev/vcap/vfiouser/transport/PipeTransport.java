package dev.vcap.vfiouser.transport;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An in-memory connection: two ends, each write on one arriving as one chunk (bytes and
 * descriptors) on the other, as a UNIX stream socket delivers a sendmsg's descriptors with its
 * first byte. Closing either end ends the other's stream after what was already written.
 */
public final class PipeTransport implements Transport {

    private record Chunk(byte[] bytes, List<ReceivedFd> fds) {
    }

    private static final Chunk EOF = new Chunk(new byte[0], List.of());

    private final LinkedBlockingQueue<Chunk> inbox;
    private final LinkedBlockingQueue<Chunk> peer;
    private final AtomicBoolean closed = new AtomicBoolean();
    private Chunk current;
    private int position;
    private boolean ended;

    private PipeTransport(LinkedBlockingQueue<Chunk> inbox, LinkedBlockingQueue<Chunk> peer) {
        this.inbox = inbox;
        this.peer = peer;
    }

    /** Two connected ends. */
    public static PipeTransport[] pair() {
        LinkedBlockingQueue<Chunk> a = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<Chunk> b = new LinkedBlockingQueue<>();
        return new PipeTransport[] {new PipeTransport(a, b), new PipeTransport(b, a)};
    }

    /** Sends bytes with descriptors, as one sendmsg with SCM_RIGHTS would. */
    public void write(ByteBuffer src, List<ReceivedFd> fds) throws IOException {
        if (closed.get()) {
            throw new IOException("write on a closed connection");
        }
        byte[] bytes = new byte[src.remaining()];
        src.get(bytes);
        peer.add(new Chunk(bytes, List.copyOf(fds)));
    }

    @Override
    public void write(ByteBuffer src) throws IOException {
        write(src, List.of());
    }

    @Override
    public int read(ByteBuffer dst, List<ReceivedFd> fds) throws IOException {
        if (ended) {
            return -1;
        }
        try {
            while (current == null || position == current.bytes.length) {
                Chunk c = inbox.poll(100, TimeUnit.MILLISECONDS);
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedIOException("read interrupted");
                }
                if (c == EOF) {
                    ended = true;
                    return -1;
                }
                if (c != null) {
                    current = c;
                    position = 0;
                    fds.addAll(c.fds);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("read interrupted");
        }
        int n = Math.min(dst.remaining(), current.bytes.length - position);
        dst.put(current.bytes, position, n);
        position += n;
        return n;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            peer.add(EOF);
        }
    }
}
