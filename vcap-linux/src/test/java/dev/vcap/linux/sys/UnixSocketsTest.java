package dev.vcap.linux.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.vcap.host.Errno;
import dev.vcap.linux.testing.OpenFds;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** UNIX sockets against the real kernel: layouts, listen/connect/accept, SCM_RIGHTS both ways, errors. */
class UnixSocketsTest {

    @TempDir
    Path dir;

    @Test
    void layoutsAreTheKernelsOnLp64() {
        assertThat(UnixSockets.SOCKADDR_UN.byteSize()).isEqualTo(110);
        assertThat(UnixSockets.SUN_PATH).isEqualTo(2);
        assertThat(UnixSockets.MSGHDR.byteSize()).isEqualTo(56);
        assertThat(UnixSockets.MSG_IOV).isEqualTo(16);
        assertThat(UnixSockets.MSG_CONTROL).isEqualTo(32);
        assertThat(UnixSockets.MSG_CONTROLLEN).isEqualTo(40);
        assertThat(UnixSockets.MSG_FLAGS).isEqualTo(48);
        assertThat(UnixSockets.IOVEC.byteSize()).isEqualTo(16);
        assertThat(UnixSockets.CMSG_DATA).isEqualTo(16);
        assertThat(UnixSockets.CMSGHDR.byteSize()).isEqualTo(16);
        assertThat(UnixSockets.POLLFD.byteSize()).isEqualTo(8);
    }

    @Test
    void descriptorsTravelWithTheFirstByteAndArriveOwned() {
        long before = OpenFds.count();
        Fd[] pair = UnixSockets.pair("test");
        try (Fd a = pair[0]; Fd b = pair[1]; Arena arena = Arena.ofConfined();
                Fd event = Fd.adopt(Libc.eventfd(0, 0), "eventfd")) {
            MemorySegment out = arena.allocateFrom("hello");
            assertThat(UnixSockets.send(a, out, event.number())).isEqualTo(6);
            MemorySegment in = arena.allocate(16);
            UnixSockets.Received r = UnixSockets.receive(b, in, 4);
            assertThat(r.bytes()).isEqualTo(6);
            assertThat(in.getString(0)).isEqualTo("hello");
            assertThat(r.controlTruncated()).isFalse();
            assertThat(r.fds()).hasSize(1);
            try (Fd got = r.fds().getFirst()) {
                assertThat(got.number()).isNotEqualTo(event.number());
                MemorySegment one = arena.allocate(ValueLayout.JAVA_LONG);
                one.set(ValueLayout.JAVA_LONG, 0, 5);
                got.use(n -> Libc.write(n, one, "write to the received eventfd"));
                MemorySegment count = arena.allocate(ValueLayout.JAVA_LONG);
                event.use(n -> Libc.read(n, count, "read the eventfd"));
                assertThat(count.get(ValueLayout.JAVA_LONG, 0)).as("the same eventfd, received").isEqualTo(5);
            }
            assertThat(UnixSockets.readable(b, 0)).as("nothing more to read").isFalse();
        }
        assertThat(OpenFds.count()).isEqualTo(before);
    }

    @Test
    void moreDescriptorsThanRoomAreCutAndSaidSo() {
        long before = OpenFds.count();
        Fd[] pair = UnixSockets.pair("test");
        try (Fd a = pair[0]; Fd b = pair[1]; Arena arena = Arena.ofConfined();
                Fd event = Fd.adopt(Libc.eventfd(0, 0), "eventfd")) {
            UnixSockets.send(a, arena.allocateFrom("x"), event.number(), event.number(), event.number());
            UnixSockets.Received r = UnixSockets.receive(b, arena.allocate(4), 2);
            assertThat(r.controlTruncated()).isTrue();
            assertThat(r.fds()).hasSize(2);
            r.fds().forEach(Fd::close);
        }
        assertThat(OpenFds.count()).as("the kernel closed the third one").isEqualTo(before);
    }

    @Test
    void listenAcceptConnectAndTheEndOfTheStream() {
        Path path = dir.resolve("s.sock");
        long before = OpenFds.count();
        try (Fd listener = UnixSockets.listen(path, 1); Arena arena = Arena.ofConfined()) {
            assertThat(Files.exists(path)).isTrue();
            assertThat(UnixSockets.readable(listener, 0)).isFalse();
            try (Fd client = UnixSockets.connect(path)) {
                assertThat(UnixSockets.readable(listener, 1000)).isTrue();
                try (Fd server = UnixSockets.accept(listener)) {
                    client.close();
                    assertThat(UnixSockets.readable(server, 1000)).isTrue();
                    assertThat(UnixSockets.receive(server, arena.allocate(8), 1).bytes()).as("end of stream").isZero();
                    SyscallException e = catchThrowableOfType(SyscallException.class,
                            () -> UnixSockets.send(server, arena.allocateFrom("x")));
                    assertThat(e.known()).as("MSG_NOSIGNAL: EPIPE, no SIGPIPE").contains(Errno.EPIPE);
                }
            }
        } finally {
            UnixSockets.unlink(path);
        }
        assertThat(Files.exists(path)).isFalse();
        assertThat(OpenFds.count()).isEqualTo(before);
    }

    @Test
    void aPathInUseIsEaddrinuseAndLeavesNothing() throws Exception {
        Path path = Files.createFile(dir.resolve("taken"));
        long before = OpenFds.count();
        SyscallException e = catchThrowableOfType(SyscallException.class, () -> UnixSockets.listen(path, 1));
        assertThat(e.call()).isEqualTo("bind " + path);
        assertThat(e.known()).contains(Errno.EADDRINUSE);
        assertThat(Files.exists(path)).as("not ours to remove").isTrue();
        assertThat(OpenFds.count()).isEqualTo(before);
    }

    @Test
    void aPathTooLongForSunPathIsRefusedBeforeAnyCall() {
        long before = OpenFds.count();
        Path path = dir.resolve("x".repeat(UnixSockets.SUN_PATH_MAX));
        assertThatThrownBy(() -> UnixSockets.listen(path, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 107 bytes");
        assertThat(OpenFds.count()).isEqualTo(before);
    }

    @Test
    void connectingToNothingIsNamed() {
        SyscallException e = catchThrowableOfType(SyscallException.class,
                () -> UnixSockets.connect(dir.resolve("nobody")));
        assertThat(e.known()).contains(Errno.ENOENT);
        assertThat(e.call()).isEqualTo("connect " + dir.resolve("nobody"));
    }
}
