package dev.vcap.vfiouser.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vcap.linux.sys.Fd;
import dev.vcap.linux.sys.Libc;
import dev.vcap.linux.testing.OpenFds;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FFM socket against a real kernel: bind, accept, recvmsg and sendmsg with SCM_RIGHTS, interrupt,
 * unlink; a client of Java's own SocketChannel and one of vcap's.
 */
class UnixSocketTest {

    @TempDir
    Path dir;

    @Test
    void servesAConnectionAndRemovesItsFile() throws Exception {
        Path path = dir.resolve("s.sock");
        try (UnixSocketListener listener = UnixSocketListener.bind(path)) {
            assertThat(Files.exists(path)).isTrue();
            CompletableFuture<UnixSocket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return listener.accept();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                client.connect(UnixDomainSocketAddress.of(path));
                try (UnixSocket server = accepted.get(5, TimeUnit.SECONDS)) {
                    client.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
                    ByteBuffer in = ByteBuffer.allocate(8);
                    List<ReceivedFd> fds = new ArrayList<>();
                    assertThat(server.read(in, fds)).isEqualTo(3);
                    assertThat(fds).isEmpty();
                    server.write(ByteBuffer.wrap(new byte[] {9, 8}));
                    ByteBuffer back = ByteBuffer.allocate(2);
                    client.read(back);
                    assertThat(back.array()).containsExactly(9, 8);
                    client.close();
                    assertThat(server.read(in, fds)).isEqualTo(-1);
                }
            }
        }
        assertThat(Files.exists(path)).as("the socket file is removed").isFalse();
    }

    @Test
    void descriptorsSentWithSCMRightsArriveOwnedAndAreClosedByTheirOwner() throws Exception {
        Path path = dir.resolve("fds.sock");
        long before = OpenFds.count();
        try (UnixSocketListener listener = UnixSocketListener.bind(path)) {
            CompletableFuture<UnixSocket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return listener.accept();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            try (UnixSocket client = UnixSocket.connect(path); UnixSocket server = accepted.get(5, TimeUnit.SECONDS);
                    Fd event = Fd.adopt(Libc.eventfd(0, 0), "eventfd")) {
                client.write(ByteBuffer.wrap(new byte[] {7}), event.number(), event.number());
                List<ReceivedFd> fds = new ArrayList<>();
                assertThat(server.read(ByteBuffer.allocate(4), fds)).isEqualTo(1);
                assertThat(fds).hasSize(2);
                assertThat(OpenFds.count()).as("two received descriptors are open").isEqualTo(before + 6);
                fds.forEach(ReceivedFd::close);
                fds.forEach(ReceivedFd::close);
                assertThat(OpenFds.count()).isEqualTo(before + 4);

                int[] many = new int[UnixSocket.MAX_FDS + 1];
                java.util.Arrays.fill(many, event.number());
                client.write(ByteBuffer.wrap(new byte[] {8}), many);
                List<ReceivedFd> cut = new ArrayList<>();
                assertThatThrownBy(() -> server.read(ByteBuffer.allocate(4), cut)).isInstanceOf(IOException.class)
                        .hasMessageContaining("more than 64 descriptors");
                assertThat(cut).as("what did arrive is handed over, to be closed").hasSize(UnixSocket.MAX_FDS);
                cut.forEach(ReceivedFd::close);
                assertThat(OpenFds.count()).isEqualTo(before + 4);
            }
        }
        assertThat(OpenFds.count()).isEqualTo(before);
    }

    @Test
    void refusesAPathThatExists() throws Exception {
        Path path = Files.createFile(dir.resolve("taken"));
        assertThatThrownBy(() -> UnixSocketListener.bind(path)).hasMessageContaining("already exists");
        assertThatThrownBy(() -> UnixSocketListener.bind(dir.resolve("x".repeat(120))))
                .isInstanceOf(IOException.class).hasMessageContaining("at most 107 bytes");
        assertThat(Files.exists(path)).isTrue();
    }

    @Test
    void anInterruptEndsTheWaitForAClient() throws Exception {
        try (UnixSocketListener listener = UnixSocketListener.bind(dir.resolve("w.sock"))) {
            Thread.currentThread().interrupt();
            assertThatThrownBy(listener::accept).isInstanceOf(InterruptedIOException.class);
            assertThat(Thread.interrupted()).isTrue();
        }
    }
}
