package dev.vcap.vfiouser.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vcap.host.InMemoryConfigRegion;
import dev.vcap.vfiouser.protocol.Frames;
import dev.vcap.vfiouser.transport.PipeTransport;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes the server with arbitrary client bytes (after a valid VERSION). Invariants: the session
 * ends with a clean disconnect or a closed connection and a reason, nothing thrown; every reply it
 * writes is framed (a header whose size covers exactly what follows).
 *
 * <p>Regression inputs: {@code src/test/resources/dev/vcap/vfiouser/server/SessionFuzzTestInputs/serve/}.
 */
class SessionFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void serve(byte[] data) throws Exception {
        PipeTransport[] pipe = PipeTransport.pair();
        List<ServerEvent> events = new ArrayList<>();
        ServedDevice device = new ServedDevice(Devices.vcs(new InMemoryConfigRegion(Devices.image())),
                BarLayout.of(Devices.image(), Map.of()), events::add);
        pipe[0].write(Frames.message(1, 1, 0, Frames.version("{}")));
        pipe[0].write(ByteBuffer.wrap(data));
        pipe[0].close();
        new Session(pipe[1], device, events::add).serve();
        assertThat(events.getLast()).isInstanceOf(ServerEvent.Disconnected.class);
        ByteBuffer all = ByteBuffer.allocate(1 << 22);
        List<dev.vcap.vfiouser.transport.ReceivedFd> none = new ArrayList<>();
        while (pipe[0].read(all, none) > 0) {
            // drain every reply
        }
        all.flip();
        while (all.remaining() > 0) {
            assertThat(all.remaining()).isGreaterThanOrEqualTo(16);
            int size = all.order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(all.position() + 4);
            assertThat(size).isBetween(16, all.remaining());
            all.position(all.position() + size);
        }
    }
}
