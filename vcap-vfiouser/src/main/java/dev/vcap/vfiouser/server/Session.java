package dev.vcap.vfiouser.server;

import dev.vcap.vfiouser.protocol.Command;
import dev.vcap.vfiouser.protocol.Header;
import dev.vcap.vfiouser.protocol.Message;
import dev.vcap.vfiouser.protocol.MessageReader;
import dev.vcap.vfiouser.protocol.ProtocolException;
import dev.vcap.vfiouser.protocol.Requests;
import dev.vcap.vfiouser.transport.ReceivedFd;
import dev.vcap.vfiouser.transport.Transport;
import dev.vcap.vmm.config.ConfigAccessException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One client connection, served to its end: VERSION first, then every command answered in the
 * order it came (the protocol's rule), a reply for each unless the command set No_reply.
 *
 * <p>Failures are of two kinds. A well-formed command the server cannot carry out — an unknown
 * command, a region or interrupt index that does not exist, an access past a region's end — gets
 * an error reply with an errno and the connection goes on. A message that breaks the framing or
 * its command's structure ({@link ProtocolException}) ends the connection: its reason is reported
 * and {@link #serve()} returns it; the process is never taken down by what a client sends.
 *
 * <p>Descriptors: the eventfds of DEVICE_SET_IRQS are kept per (index, vector), closed when
 * replaced, de-assigned or when the connection ends; any other command's descriptors are closed at
 * once (DMA_MAP's memory is never mapped: the device does no DMA).
 */
public final class Session {

    public static final int E2BIG = 7;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int ENOSYS = 38;
    public static final int ENOTSUP = 95;

    /** The largest REGION_READ/WRITE count accepted (VFIO_USER_DEF_MAX_XFER), and offered at VERSION. */
    public static final int MAX_DATA_XFER = 1 << 20;
    /** Descriptors accepted in one message, offered at VERSION (QEMU's default, VFIO_USER_DEF_MAX_FDS). */
    public static final int MAX_MSG_FDS = 8;
    /** The largest message: a REGION_WRITE of MAX_DATA_XFER bytes, or a VERSION with generous capabilities. */
    public static final int MAX_MESSAGE = Header.LENGTH + Requests.RegionAccess.DATA + MAX_DATA_XFER;

    static final String CAPABILITIES = "{\"capabilities\":{\"max_msg_fds\":" + MAX_MSG_FDS
            + ",\"max_data_xfer_size\":" + MAX_DATA_XFER + "}}";

    /** device flags VFIO_DEVICE_FLAGS_RESET | VFIO_DEVICE_FLAGS_PCI */
    static final int DEVICE_FLAGS = 1 | 2;
    static final int REGION_READ = 1;
    static final int REGION_WRITE = 1 << 1;
    static final int IRQ_EVENTFD = 1;
    static final int IRQ_MASKABLE = 1 << 1;
    static final int IRQ_AUTOMASKED = 1 << 2;
    static final int IRQ_NORESIZE = 1 << 3;

    private final Transport transport;
    private final ServedDevice device;
    private final Consumer<ServerEvent> events;
    private final MessageReader reader;
    private final Map<Long, ReceivedFd> irqFds = new HashMap<>();
    private final List<long[]> dmaMaps = new ArrayList<>();
    private boolean negotiated;

    public Session(Transport transport, ServedDevice device, Consumer<ServerEvent> events) {
        this.transport = transport;
        this.device = device;
        this.events = events;
        this.reader = new MessageReader(transport, MAX_MESSAGE);
    }

    /**
     * Serves until the client disconnects or breaks the protocol; returns null after a clean
     * disconnect, else why the connection was closed. Closes the transport and every descriptor.
     *
     * @throws InterruptedIOException when the serving thread is interrupted (shutdown)
     */
    public String serve() throws InterruptedIOException {
        String reason = null;
        try {
            while (true) {
                Optional<Message> next = reader.next();
                if (next.isEmpty()) {
                    break;
                }
                Message m = next.get();
                try {
                    handle(m);
                } catch (ProtocolException e) {
                    m.closeFds();
                    throw e;
                }
            }
        } catch (InterruptedIOException e) {
            throw e;
        } catch (ProtocolException e) {
            reason = e.getMessage();
        } catch (IOException e) {
            reason = "connection error: " + e.getMessage();
        } finally {
            irqFds.values().forEach(ReceivedFd::close);
            irqFds.clear();
            transport.close();
        }
        events.accept(new ServerEvent.Disconnected(reason));
        return reason;
    }

    private void handle(Message m) throws IOException, ProtocolException {
        Header h = m.header();
        if (h.type() == Header.TYPE_REPLY) {
            m.closeFds();
            throw new ProtocolException(ProtocolException.Reason.UNEXPECTED_REPLY, h
                    + ": a reply, but this server sends no commands");
        }
        if (!negotiated && h.command() != Command.VERSION.number()) {
            m.closeFds();
            throw new ProtocolException(ProtocolException.Reason.BAD_VERSION, h
                    + ": the first message must be VFIO_USER_VERSION");
        }
        Optional<Command> command = Command.of(h.command()).filter(Command::clientToServer);
        if (command.isEmpty()) {
            error(m, ENOSYS, "not a command a client sends");
            return;
        }
        if (command.get() != Command.DEVICE_SET_IRQS && command.get() != Command.DMA_MAP && !m.fds().isEmpty()) {
            String why = m.fds().size() + " descriptors with a command that takes none";
            refuseFds(m, command.get().name(), why);
            error(m, EINVAL, why);
            return;
        }
        switch (command.get()) {
            case VERSION -> version(m);
            case DMA_MAP -> dmaMap(m);
            case DMA_UNMAP -> dmaUnmap(m);
            case DEVICE_GET_INFO -> deviceInfo(m);
            case DEVICE_GET_REGION_INFO -> regionInfo(m);
            case DEVICE_GET_IRQ_INFO -> irqInfo(m);
            case DEVICE_SET_IRQS -> setIrqs(m);
            case REGION_READ -> regionRead(m);
            case REGION_WRITE -> regionWrite(m);
            case DEVICE_RESET -> {
                device.reset();
                reply(m, empty());
            }
            case DEVICE_GET_REGION_IO_FDS, DIRTY_PAGES, REGION_WRITE_MULTI, DEVICE_FEATURE, MIG_DATA_READ,
                    MIG_DATA_WRITE -> error(m, ENOTSUP, "not offered by this server");
            case DMA_READ, DMA_WRITE -> throw new IllegalStateException("filtered above");
        }
    }

    private void version(Message m) throws IOException, ProtocolException {
        Requests.Version v = Requests.Version.decode(m);
        if (negotiated) {
            error(m, EINVAL, "VERSION was already negotiated");
            return;
        }
        if (v.major() != 0) {
            throw new ProtocolException(ProtocolException.Reason.BAD_VERSION, m.header() + ": major version "
                    + v.major() + " proposed; this server speaks 0");
        }
        negotiated = true;
        events.accept(new ServerEvent.Negotiated(0, 0, v.capabilities() == null ? "" : v.capabilities().toString()));
        byte[] caps = (CAPABILITIES + "\0").getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = payload(Requests.Version.DATA + caps.length);
        b.putShort((short) 0).putShort((short) 0).put(caps);
        reply(m, b);
    }

    private void dmaMap(Message m) throws IOException, ProtocolException {
        Requests.DmaMap map = Requests.DmaMap.decode(m);
        if (!m.fds().isEmpty()) {
            events.accept(new ServerEvent.Descriptors("DMA_MAP", m.fds().size(), "closed: this device does no DMA"));
            m.closeFds();
        }
        for (long[] r : dmaMaps) {
            if (Long.compareUnsigned(map.address(), r[0] + r[1]) < 0
                    && Long.compareUnsigned(r[0], map.address() + map.size()) < 0) {
                error(m, EEXIST, String.format("0x%x+0x%x overlaps a mapping", map.address(), map.size()));
                return;
            }
        }
        dmaMaps.add(new long[] {map.address(), map.size()});
        reply(m, empty());
    }

    /**
     * Removes the mappings inside the range. QEMU with a vIOMMU unmaps whole address-space ranges
     * that hold no mapping (iommu notifier unmaps, up to the top of the 64-bit space); the kernel's
     * vfio type1 driver answers those with success, and so does this server.
     */
    private void dmaUnmap(Message m) throws IOException, ProtocolException {
        Requests.DmaUnmap u = Requests.DmaUnmap.decode(m);
        long end = u.address() + u.size();
        dmaMaps.removeIf(r -> Long.compareUnsigned(r[0], u.address()) >= 0
                && (end == 0 || Long.compareUnsigned(r[0] + r[1], end) <= 0));
        ByteBuffer b = payload(Requests.DmaUnmap.LENGTH);
        b.put(m.body().limit(Requests.DmaUnmap.LENGTH));
        reply(m, b);
    }

    private void deviceInfo(Message m) throws IOException, ProtocolException {
        Requests.DeviceInfo.decode(m);
        ByteBuffer b = payload(Requests.DeviceInfo.LENGTH);
        b.putInt(Requests.DeviceInfo.LENGTH).putInt(DEVICE_FLAGS).putInt(ServedDevice.REGIONS)
                .putInt(ServedDevice.IRQ_TYPES);
        reply(m, b);
    }

    private void regionInfo(Message m) throws IOException, ProtocolException {
        Requests.RegionInfo r = Requests.RegionInfo.decode(m);
        if (Integer.compareUnsigned(r.index(), ServedDevice.REGIONS) >= 0) {
            error(m, EINVAL, "region " + Integer.toUnsignedString(r.index()) + " does not exist (0.."
                    + (ServedDevice.REGIONS - 1) + ")");
            return;
        }
        long size = device.regionSize(r.index());
        ByteBuffer b = payload(Requests.RegionInfo.LENGTH);
        b.putInt(Requests.RegionInfo.LENGTH).putInt(size > 0 ? REGION_READ | REGION_WRITE : 0).putInt(r.index())
                .putInt(0).putLong(size).putLong(0);
        reply(m, b);
    }

    private void irqInfo(Message m) throws IOException, ProtocolException {
        Requests.IrqInfo r = Requests.IrqInfo.decode(m);
        if (Integer.compareUnsigned(r.index(), ServedDevice.IRQ_TYPES) >= 0) {
            error(m, EINVAL, "interrupt type " + Integer.toUnsignedString(r.index()) + " does not exist");
            return;
        }
        int flags = IRQ_EVENTFD | switch (r.index()) {
            case ServedDevice.INTX -> IRQ_MASKABLE | IRQ_AUTOMASKED;
            case ServedDevice.MSI -> IRQ_NORESIZE;
            default -> 0;
        };
        ByteBuffer b = payload(Requests.IrqInfo.LENGTH);
        b.putInt(Requests.IrqInfo.LENGTH).putInt(flags).putInt(r.index()).putInt(device.irqCount(r.index()));
        reply(m, b);
    }

    private void setIrqs(Message m) throws IOException, ProtocolException {
        Requests.IrqSet s = Requests.IrqSet.decode(m);
        int data = s.flags() & Requests.IrqSet.DATA_MASK;
        int action = s.flags() & Requests.IrqSet.ACTIONS;
        String bad = null;
        if (Integer.bitCount(data) != 1 || Integer.bitCount(action) != 1
                || (s.flags() & ~(Requests.IrqSet.DATA_MASK | Requests.IrqSet.ACTIONS)) != 0) {
            bad = String.format("flags 0x%x: exactly one DATA and one ACTION flag", s.flags());
        } else if (Integer.compareUnsigned(s.index(), ServedDevice.IRQ_TYPES) >= 0) {
            bad = "interrupt type " + Integer.toUnsignedString(s.index()) + " does not exist";
        } else if (Long.compareUnsigned(Integer.toUnsignedLong(s.start()) + Integer.toUnsignedLong(s.count()),
                device.irqCount(s.index())) > 0 && !(s.count() == 0 && data == Requests.IrqSet.DATA_NONE)) {
            bad = String.format("vectors %d+%d beyond the %d of type %d", Integer.toUnsignedLong(s.start()),
                    Integer.toUnsignedLong(s.count()), device.irqCount(s.index()), s.index());
        } else if (data == Requests.IrqSet.DATA_EVENTFD && !m.fds().isEmpty() && m.fds().size() != s.count()) {
            bad = m.fds().size() + " descriptors for " + s.count() + " vectors";
        } else if (data != Requests.IrqSet.DATA_EVENTFD && !m.fds().isEmpty()) {
            bad = m.fds().size() + " descriptors without DATA_EVENTFD";
        }
        if (bad != null) {
            refuseFds(m, "DEVICE_SET_IRQS", bad);
            error(m, EINVAL, bad);
            return;
        }
        if (data == Requests.IrqSet.DATA_EVENTFD && action == Requests.IrqSet.ACTION_TRIGGER) {
            for (int i = 0; i < s.count(); i++) {
                ReceivedFd old = m.fds().isEmpty() ? irqFds.remove(key(s.index(), s.start() + i))
                        : irqFds.put(key(s.index(), s.start() + i), m.fds().get(i));
                if (old != null) {
                    old.close();
                }
            }
            if (!m.fds().isEmpty()) {
                events.accept(new ServerEvent.Descriptors("DEVICE_SET_IRQS", m.fds().size(), String.format(
                        "kept as the trigger eventfds of type %d vectors %d..%d (never signalled: no interrupts yet)",
                        s.index(), s.start(), s.start() + s.count() - 1)));
            }
        } else {
            if (!m.fds().isEmpty()) {
                events.accept(new ServerEvent.Descriptors("DEVICE_SET_IRQS", m.fds().size(),
                        "closed: mask and unmask eventfds are not used"));
                m.closeFds();
            }
            if (data == Requests.IrqSet.DATA_NONE && action == Requests.IrqSet.ACTION_TRIGGER && s.count() == 0) {
                irqFds.entrySet().removeIf(e -> {
                    if (e.getKey() >>> 32 == s.index()) {
                        e.getValue().close();
                        return true;
                    }
                    return false;
                });
            }
        }
        reply(m, empty());
    }

    /** Closes the descriptors of a refused command, saying so. */
    private void refuseFds(Message m, String command, String why) {
        if (!m.fds().isEmpty()) {
            events.accept(new ServerEvent.Descriptors(command, m.fds().size(), "closed: the command was refused ("
                    + why + ")"));
            m.closeFds();
        }
    }

    private static long key(int index, int vector) {
        return (long) index << 32 | Integer.toUnsignedLong(vector);
    }

    private void regionRead(Message m) throws IOException, ProtocolException {
        Requests.RegionAccess r = Requests.RegionAccess.decodeRead(m);
        String bad = checkAccess(r);
        if (bad != null) {
            error(m, bad.startsWith("count") ? E2BIG : EINVAL, bad);
            return;
        }
        byte[] data;
        try {
            data = device.read(r.region(), r.offset(), r.count());
        } catch (ConfigAccessException e) {
            error(m, EINVAL, e.getMessage());
            return;
        }
        ByteBuffer b = payload(Requests.RegionAccess.DATA + data.length);
        b.putLong(r.offset()).putInt(r.region()).putInt(r.count()).put(data);
        reply(m, b);
    }

    private void regionWrite(Message m) throws IOException, ProtocolException {
        Requests.RegionAccess r = Requests.RegionAccess.decodeWrite(m);
        String bad = checkAccess(r);
        if (bad != null) {
            error(m, bad.startsWith("count") ? E2BIG : EINVAL, bad);
            return;
        }
        try {
            device.write(r.region(), r.offset(), r.data());
        } catch (ConfigAccessException e) {
            error(m, EINVAL, e.getMessage());
            return;
        }
        if (!m.header().noReply()) {
            ByteBuffer b = payload(Requests.RegionAccess.DATA);
            b.putLong(r.offset()).putInt(r.region()).putInt(r.count());
            reply(m, b);
        }
    }

    /** Why an access cannot be served, or null. */
    private String checkAccess(Requests.RegionAccess r) {
        if (Integer.compareUnsigned(r.count(), MAX_DATA_XFER) > 0) {
            return "count " + Integer.toUnsignedString(r.count()) + " above max_data_xfer_size " + MAX_DATA_XFER;
        }
        if (Integer.compareUnsigned(r.region(), ServedDevice.REGIONS) >= 0) {
            return "region " + Integer.toUnsignedString(r.region()) + " does not exist";
        }
        long size = device.regionSize(r.region());
        if (size == 0) {
            return "region " + r.region() + " is not implemented (size 0)";
        }
        if (r.offset() < 0 || r.offset() + r.count() > size) {
            return String.format("%d bytes at 0x%x are outside region %d (%d bytes)", r.count(), r.offset(),
                    r.region(), size);
        }
        return null;
    }

    private void error(Message m, int errno, String why) throws IOException {
        events.accept(new ServerEvent.ErrorReply(Command.nameOf(m.header().command()), errno, why));
        if (m.header().noReply()) {
            return;
        }
        ByteBuffer b = ByteBuffer.allocate(Header.LENGTH);
        m.header().errorReply(errno).encode(b);
        transport.write(b.flip());
    }

    private static ByteBuffer payload(int length) {
        return ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static ByteBuffer empty() {
        return payload(0);
    }

    private void reply(Message m, ByteBuffer payload) throws IOException {
        payload.flip();
        ByteBuffer b = ByteBuffer.allocate(Header.LENGTH + payload.remaining());
        m.header().reply(payload.remaining()).encode(b);
        b.put(payload);
        transport.write(b.flip());
    }
}
