package dev.vcap.vfiouser.testing;

import dev.vcap.vfiouser.protocol.Command;
import dev.vcap.vfiouser.protocol.Frames;
import dev.vcap.vfiouser.protocol.Header;
import dev.vcap.vfiouser.transport.ReceivedFd;
import dev.vcap.vfiouser.transport.UnixSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A small vfio-user client over a real UNIX socket, for tests that drive {@code vcap serve} as QEMU
 * would: one command at a time, each reply read in full. Config accesses go to region 7
 * (VFIO_PCI_CONFIG_REGION_INDEX).
 */
public final class VfioUserClient implements AutoCloseable {

    /** VFIO_PCI_CONFIG_REGION_INDEX. */
    public static final int CONFIG_REGION = 7;
    /** Offset of the data in a REGION_READ reply: header, then offset u64, region u32, count u32. */
    public static final int READ_DATA = Header.LENGTH + 16;

    private final UnixSocket socket;
    private int nextId;

    private VfioUserClient(UnixSocket socket) {
        this.socket = socket;
    }

    public static VfioUserClient connect(Path path) throws IOException {
        return new VfioUserClient(UnixSocket.connect(path));
    }

    /** Sends a command (with descriptors as SCM_RIGHTS) and returns its whole reply, header first. */
    public ByteBuffer call(Command c, byte[] payload, int... fds) throws IOException {
        socket.write(Frames.message(++nextId, c.number(), 0, payload), fds);
        return reply();
    }

    /** Sends a command number the specification may not define, and returns the reply. */
    public ByteBuffer call(int command, byte[] payload) throws IOException {
        socket.write(Frames.message(++nextId, command, 0, payload));
        return reply();
    }

    /** Sends raw bytes: a message as a broken client would send it. */
    public void send(ByteBuffer raw) throws IOException {
        socket.write(raw);
    }

    /** VERSION 0.0 with {@code capabilities} (JSON); returns the reply. */
    public ByteBuffer version(String capabilities) throws IOException {
        return call(Command.VERSION, Frames.version(capabilities));
    }

    /** A config read of {@code width} bytes at {@code offset}, little-endian. */
    public long configRead(int offset, int width) throws IOException {
        ByteBuffer r = call(Command.REGION_READ, Frames.regionAccess(offset, CONFIG_REGION, width, new byte[0]));
        requireOk(r);
        long v = 0;
        for (int i = width - 1; i >= 0; i--) {
            v = v << 8 | r.get(READ_DATA + i) & 0xFF;
        }
        return v;
    }

    /** A config write of the low {@code width} bytes of {@code value}, little-endian. */
    public void configWrite(int offset, int width, long value) throws IOException {
        byte[] data = new byte[width];
        for (int i = 0; i < width; i++) {
            data[i] = (byte) (value >>> 8 * i);
        }
        requireOk(call(Command.REGION_WRITE, Frames.regionAccess(offset, CONFIG_REGION, width, data)));
    }

    /** The offset of the first extended capability with {@code id}, walking from 0x100 as Linux does; 0 if none. */
    public int findExtended(int id) throws IOException {
        int at = 0x100;
        for (int ttl = (4096 - 256) / 8; ttl > 0 && at >= 0x100; ttl--) {
            long header = configRead(at, 4);
            if (header == 0) {
                return 0;
            }
            if ((header & 0xFFFF) == id) {
                return at;
            }
            at = (int) (header >>> 20) & ~3;
        }
        return 0;
    }

    /** The offset of the standard capability with {@code id}, or 0. */
    public int findStandard(int id) throws IOException {
        int at = (int) configRead(0x34, 1) & ~3;
        for (int ttl = 48; ttl > 0 && at >= 0x40; ttl--) {
            long word = configRead(at, 2);
            if ((word & 0xFF) == id) {
                return at;
            }
            at = (int) (word >>> 8) & ~3;
        }
        return 0;
    }

    /** True when the server closed the connection: the next read is the end of the stream. */
    public boolean closedByServer() throws IOException {
        List<ReceivedFd> fds = new ArrayList<>();
        try {
            return socket.read(ByteBuffer.allocate(1), fds) == -1;
        } finally {
            fds.forEach(ReceivedFd::close);
        }
    }

    /** The reply's header. */
    public static Header header(ByteBuffer reply) {
        return Header.decode(reply.duplicate().position(0));
    }

    private static void requireOk(ByteBuffer reply) throws IOException {
        Header h = header(reply);
        if ((h.flags() & Header.ERROR_FLAG) != 0) {
            throw new IOException(h + ": error reply, errno " + h.error());
        }
    }

    private ByteBuffer reply() throws IOException {
        ByteBuffer head = readFully(ByteBuffer.allocate(Header.LENGTH));
        Header h = Header.decode(head.flip());
        ByteBuffer body = readFully(ByteBuffer.allocate(h.payloadLength()));
        return ByteBuffer.allocate(h.size()).order(ByteOrder.LITTLE_ENDIAN).put(head.rewind()).put(body.flip()).flip();
    }

    private ByteBuffer readFully(ByteBuffer b) throws IOException {
        List<ReceivedFd> fds = new ArrayList<>();
        try {
            while (b.hasRemaining()) {
                if (socket.read(b, fds) < 0) {
                    throw new IOException("the server closed the connection");
                }
            }
        } finally {
            fds.forEach(ReceivedFd::close);
        }
        return b;
    }

    /** Disconnects, as QEMU does when it exits. */
    @Override
    public void close() {
        socket.close();
    }
}
