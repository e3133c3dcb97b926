package dev.vcap.vfiouser.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.host.InMemoryConfigRegion;
import dev.vcap.vfiouser.protocol.Command;
import dev.vcap.vfiouser.protocol.Frames;
import dev.vcap.vfiouser.protocol.Header;
import dev.vcap.vfiouser.transport.FakeFd;
import dev.vcap.vfiouser.transport.PipeTransport;
import dev.vcap.vmm.config.VmmEvent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The server's behaviour over an in-memory connection, message by message, as QEMU's client drives it. */
class SessionTest {

    private final List<ServerEvent> events = new CopyOnWriteArrayList<>();
    private PipeTransport client;
    private CompletableFuture<String> served;
    private InMemoryConfigRegion backing;
    private int nextId;

    @BeforeEach
    void start() {
        PipeTransport[] pipe = PipeTransport.pair();
        client = pipe[0];
        backing = new InMemoryConfigRegion(Devices.image());
        ServedDevice device = new ServedDevice(Devices.vcs(backing), BarLayout.of(Devices.image(), Map.of()),
                events::add);
        Session session = new Session(pipe[1], device, events::add);
        served = CompletableFuture.supplyAsync(() -> {
            try {
                return session.serve();
            } catch (java.io.InterruptedIOException e) {
                return "interrupted";
            }
        });
    }

    @AfterEach
    void stop() {
        client.close();
    }

    private ByteBuffer call(Command c, int flags, byte[] payload) throws Exception {
        client.write(Frames.message(++nextId, c.number(), flags, payload));
        return reply();
    }

    private ByteBuffer reply() throws Exception {
        ByteBuffer head = ByteBuffer.allocate(Header.LENGTH);
        while (head.hasRemaining()) {
            assertThat(client.read(head, new ArrayList<>())).isPositive();
        }
        Header h = Header.decode(head.flip());
        ByteBuffer body = ByteBuffer.allocate(h.payloadLength()).order(ByteOrder.LITTLE_ENDIAN);
        while (body.hasRemaining()) {
            client.read(body, new ArrayList<>());
        }
        return ByteBuffer.allocate(h.size()).order(ByteOrder.LITTLE_ENDIAN).put(head.rewind()).put(body.flip()).flip();
    }

    private void negotiate() throws Exception {
        call(Command.VERSION, 0, Frames.version("{\"capabilities\":{\"max_msg_fds\":16}}"));
    }

    private static Header header(ByteBuffer reply) {
        return Header.decode(reply);
    }

    @Test
    void versionRepliesWithItsCapabilitiesNulTerminated() throws Exception {
        ByteBuffer r = call(Command.VERSION, 0, Frames.version("{\"capabilities\":{}}"));
        assertThat(header(r).flags()).isEqualTo(Header.TYPE_REPLY);
        assertThat(r.getShort(16)).isZero();
        assertThat(r.getShort(18)).isZero();
        byte[] caps = new byte[r.limit() - 20];
        r.get(20, caps);
        assertThat(new String(caps, StandardCharsets.UTF_8)).isEqualTo(Session.CAPABILITIES + "\0");
        assertThat(events).contains(new ServerEvent.Negotiated(0, 0, "{\"capabilities\":{}}"));
    }

    @Test
    void deviceAndRegionInfoDescribeConfigSpaceAndTheBars() throws Exception {
        negotiate();
        ByteBuffer info = call(Command.DEVICE_GET_INFO, 0, Frames.le(16, 0, 0, 0));
        assertThat(info.getInt(20)).isEqualTo(3); // RESET | PCI
        assertThat(info.getInt(24)).isEqualTo(9);
        assertThat(info.getInt(28)).isEqualTo(5);
        ByteBuffer config = call(Command.DEVICE_GET_REGION_INFO, 0, Frames.le(32, 0, 7, 0, 0, 0, 0, 0));
        assertThat(config.getInt(20)).isEqualTo(3); // READ | WRITE
        assertThat(config.getLong(32)).isEqualTo(4096);
        ByteBuffer bar0 = call(Command.DEVICE_GET_REGION_INFO, 0, Frames.le(32, 0, 0, 0, 0, 0, 0, 0));
        assertThat(bar0.getLong(32)).isEqualTo(4096);
        ByteBuffer bar1 = call(Command.DEVICE_GET_REGION_INFO, 0, Frames.le(32, 0, 1, 0, 0, 0, 0, 0));
        assertThat(bar1.getLong(32)).as("upper half of a 64-bit BAR").isZero();
        ByteBuffer bad = call(Command.DEVICE_GET_REGION_INFO, 0, Frames.le(32, 0, 9, 0, 0, 0, 0, 0));
        assertThat(header(bad).flags()).isEqualTo(Header.TYPE_REPLY | Header.ERROR_FLAG);
        assertThat(header(bad).error()).isEqualTo(Session.EINVAL);
        ByteBuffer intx = call(Command.DEVICE_GET_IRQ_INFO, 0, Frames.le(16, 0, 0, 0));
        assertThat(intx.getInt(28)).as("INTA is set").isEqualTo(1);
    }

    @Test
    void configReadsAndWritesGoThroughTheVirtualConfigSpace() throws Exception {
        negotiate();
        ByteBuffer r = call(Command.REGION_READ, 0, Frames.regionAccess(Devices.PASID, 7, 8, new byte[0]));
        assertThat(r.getInt(32) & 0xFFFF).as("PASID header ID").isEqualTo(0x1b);
        assertThat(r.getShort(36) & 0xFFFF).isEqualTo(0x1404);
        // PASID Control: Enable | Priv, as a posted (no-reply) write
        client.write(Frames.message(++nextId, Command.REGION_WRITE.number(), Header.NO_REPLY,
                Frames.regionAccess(Devices.PASID + 6, 7, 2, new byte[] {5, 0})));
        ByteBuffer back = call(Command.REGION_READ, 0, Frames.regionAccess(Devices.PASID + 6, 7, 2, new byte[0]));
        assertThat(back.getShort(32)).isEqualTo((short) 5);
        assertThat(events).contains(new ServerEvent.Vmm(new VmmEvent.PasidControl(Devices.PASID, true, false, true)));
        assertThat(backing.read(Devices.PASID + 4, 4)).as("nothing reached the device").isZero();
        // a read-only byte: the vendor ID does not change
        call(Command.REGION_WRITE, 0, Frames.regionAccess(0, 7, 2, new byte[] {-1, -1}));
        assertThat(call(Command.REGION_READ, 0, Frames.regionAccess(0, 7, 2, new byte[0])).getShort(32))
                .isEqualTo((short) 0x8086);
    }

    @Test
    void barsAreSparseMemory() throws Exception {
        negotiate();
        call(Command.REGION_WRITE, 0, Frames.regionAccess(0xff8, 0, 8, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
        ByteBuffer r = call(Command.REGION_READ, 0, Frames.regionAccess(0xff8, 0, 8, new byte[0]));
        assertThat(r.getLong(32)).isEqualTo(0x0807060504030201L);
        ByteBuffer past = call(Command.REGION_READ, 0, Frames.regionAccess(0xffc, 0, 8, new byte[0]));
        assertThat(header(past).error()).isEqualTo(Session.EINVAL);
    }

    @Test
    void unknownCommandsGetAnErrorReplyAndTheConnectionGoesOn() throws Exception {
        negotiate();
        client.write(Frames.message(++nextId, 99, 0, new byte[0]));
        assertThat(header(reply()).error()).isEqualTo(Session.ENOSYS);
        assertThat(header(call(Command.DMA_READ, 0, new byte[16])).error()).isEqualTo(Session.ENOSYS);
        assertThat(header(call(Command.DEVICE_GET_REGION_IO_FDS, 0, new byte[16])).error()).isEqualTo(Session.ENOTSUP);
        assertThat(header(call(Command.DEVICE_GET_INFO, 0, Frames.le(16, 0, 0, 0))).flags()).isEqualTo(
                Header.TYPE_REPLY);
    }

    @Test
    void aCommandBeforeVersionClosesTheConnection() throws Exception {
        client.write(Frames.message(1, Command.DEVICE_GET_INFO.number(), 0, Frames.le(16, 0, 0, 0)));
        assertThat(served.get(5, TimeUnit.SECONDS)).isEqualTo("VFIO_USER_DEVICE_GET_INFO id 1 size 32 flags 0x0:"
                + " the first message must be VFIO_USER_VERSION");
    }

    @Test
    void aReplyFromTheClientClosesTheConnection() throws Exception {
        negotiate();
        client.write(Frames.message(++nextId, Command.DMA_READ.number(), Header.TYPE_REPLY, new byte[0]));
        assertThat(served.get(5, TimeUnit.SECONDS)).endsWith("a reply, but this server sends no commands");
    }

    @Test
    void interruptEventfdsAreKeptThenClosedWhenTheClientLeaves() throws Exception {
        negotiate();
        FakeFd eventfd = new FakeFd(40);
        client.write(Frames.message(++nextId, Command.DEVICE_SET_IRQS.number(), 0, Frames.le(20, 0x24, 0, 0, 1)),
                List.of(eventfd));
        assertThat(header(reply()).flags()).isEqualTo(Header.TYPE_REPLY);
        assertThat(eventfd.isClosed()).isFalse();
        FakeFd stray = new FakeFd(41);
        client.write(Frames.message(++nextId, Command.REGION_READ.number(), 0, Frames.regionAccess(0, 7, 4,
                new byte[0])), List.of(stray));
        assertThat(header(reply()).error()).isEqualTo(Session.EINVAL);
        assertThat(stray.closes()).isEqualTo(1);
        assertThat(events).contains(new ServerEvent.Descriptors("REGION_READ", 1, "closed: the command was refused"
                + " (1 descriptors with a command that takes none)"));
        client.close();
        assertThat(served.get(5, TimeUnit.SECONDS)).isNull();
        assertThat(eventfd.closes()).isEqualTo(1);
        assertThat(events.getLast()).isEqualTo(new ServerEvent.Disconnected(null));
    }

    @Test
    void dmaMapAndUnmapAnyRange() throws Exception {
        negotiate();
        ByteBuffer map = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN).putInt(32).putInt(3).putLong(0)
                .putLong(0x1000).putLong(0x1000);
        assertThat(header(call(Command.DMA_MAP, 0, map.array())).flags()).isEqualTo(Header.TYPE_REPLY);
        assertThat(header(call(Command.DMA_MAP, 0, map.array())).error()).isEqualTo(Session.EEXIST);
        ByteBuffer unmap = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(24).putInt(0).putLong(0)
                .putLong(-1);
        ByteBuffer r = call(Command.DMA_UNMAP, 0, unmap.array());
        assertThat(header(r).size()).isEqualTo(40);
        assertThat(header(call(Command.DMA_MAP, 0, map.array())).flags()).as("unmapped").isEqualTo(Header.TYPE_REPLY);
    }

    @Test
    void initiateFlrResetsTheServedRegisters() throws Exception {
        negotiate();
        call(Command.REGION_WRITE, 0, Frames.regionAccess(Devices.PASID + 6, 7, 2, new byte[] {1, 0}));
        call(Command.REGION_WRITE, 0, Frames.regionAccess(0x40 + 8, 7, 2, new byte[] {0, (byte) 0x80}));
        assertThat(call(Command.REGION_READ, 0, Frames.regionAccess(Devices.PASID + 6, 7, 2, new byte[0]))
                .getShort(32)).isZero();
        assertThat(events).contains(new ServerEvent.Reset("FLR"));
    }
}
