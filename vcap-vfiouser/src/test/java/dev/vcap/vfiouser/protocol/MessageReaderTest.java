package dev.vcap.vfiouser.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vcap.vfiouser.protocol.ProtocolException.Reason;
import dev.vcap.vfiouser.transport.FakeFd;
import dev.vcap.vfiouser.transport.PipeTransport;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One test per way a message can be broken: the reason and the message say which. */
class MessageReaderTest {

    private final PipeTransport[] pipe = PipeTransport.pair();
    private final MessageReader reader = new MessageReader(pipe[1], 1024);

    private void send(ByteBuffer b) throws Exception {
        pipe[0].write(b);
    }

    private void sendHeader(int id, int command, int size, int flags) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(Header.LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        new Header(id, command, size, flags, 0).encode(b);
        send(b.flip());
    }

    @Test
    void readsAMessageWithItsPayloadAndDescriptors() throws Exception {
        FakeFd fd = new FakeFd(7);
        pipe[0].write(Frames.message(3, 9, 0, Frames.regionAccess(0x40, 7, 4, new byte[0])), List.of(fd));
        Message m = reader.next().orElseThrow();
        assertThat(m.header().id()).isEqualTo(3);
        assertThat(m.header().command()).isEqualTo(Command.REGION_READ.number());
        assertThat(m.payload().remaining()).isEqualTo(16);
        assertThat(m.fds()).containsExactly(fd);
        assertThat(fd.isClosed()).isFalse();
    }

    @Test
    void aCleanEndBetweenMessagesIsNoError() throws Exception {
        pipe[0].close();
        assertThat(reader.next()).isEmpty();
    }

    @Test
    void truncatedHeader() throws Exception {
        send(ByteBuffer.wrap(new byte[] {1, 0, 9, 0, 32}));
        pipe[0].close();
        assertThatThrownBy(reader::next).isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED_HEADER))
                .hasMessage("the connection ended 5 bytes into a 16-byte message header");
    }

    @Test
    void truncatedPayloadClosesItsDescriptors() throws Exception {
        FakeFd fd = new FakeFd(9);
        ByteBuffer b = ByteBuffer.allocate(Header.LENGTH + 4).order(ByteOrder.LITTLE_ENDIAN);
        new Header(5, 10, 40, 0, 0).encode(b);
        pipe[0].write(b.putInt(0).flip(), List.of(fd));
        pipe[0].close();
        assertThatThrownBy(reader::next).isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED_PAYLOAD))
                .hasMessage("VFIO_USER_REGION_WRITE id 5 size 40 flags 0x0: the connection ended 4 bytes into its"
                        + " 24-byte payload");
        assertThat(fd.closes()).isEqualTo(1);
    }

    @Test
    void sizeBelowTheHeader() throws Exception {
        sendHeader(1, 1, 15, 0);
        assertThatThrownBy(reader::next).isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.SIZE_BELOW_HEADER))
                .hasMessage("VFIO_USER_VERSION id 1 size 15 flags 0x0: message size 15 is below the 16-byte header");
    }

    @Test
    void sizeAboveTheLimitIsRefusedBeforeReadingIt() throws Exception {
        sendHeader(2, 10, -1, 0);
        assertThatThrownBy(reader::next).isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.SIZE_ABOVE_LIMIT))
                .hasMessage("VFIO_USER_REGION_WRITE id 2 size -1 flags 0x0: message size 4294967295 is above the 1024"
                        + " bytes this server accepts");
    }

    @Test
    void unknownType() throws Exception {
        sendHeader(4, 4, 16, 0x2);
        assertThatThrownBy(reader::next).isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_TYPE))
                .hasMessage("VFIO_USER_DEVICE_GET_INFO id 4 size 16 flags 0x2: message type 2 is neither command (0)"
                        + " nor reply (1)");
    }
}
