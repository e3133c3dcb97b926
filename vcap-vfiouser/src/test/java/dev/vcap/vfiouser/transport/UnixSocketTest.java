package dev.vcap.vfiouser.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

/** The FFM socket against a real kernel: bind, accept, recvmsg, sendmsg, interrupt, unlink. */
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
    void refusesAPathThatExists() throws Exception {
        Path path = Files.createFile(dir.resolve("taken"));
        assertThatThrownBy(() -> UnixSocketListener.bind(path)).hasMessageContaining("already exists");
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
