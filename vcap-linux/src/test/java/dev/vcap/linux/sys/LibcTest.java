package dev.vcap.linux.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.vcap.host.Errno;
import dev.vcap.linux.testing.OpenFds;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real system calls on this machine: the errno each failure leaves, and the data each call moves. */
class LibcTest {

    @Test
    void openOfAMissingFileIsEnoentNamedAfterThePath() {
        SyscallException e = catchThrowableOfType(SyscallException.class,
                () -> Libc.open("/nonexistent/vcap-test", Libc.O_RDONLY));
        assertThat(e.errno()).isEqualTo(2);
        assertThat(e.known()).contains(Errno.ENOENT);
        assertThat(e.call()).isEqualTo("open /nonexistent/vcap-test");
        assertThat(e).hasMessage("open /nonexistent/vcap-test: ENOENT (No such file or directory)");
    }

    @Test
    void aVfioIoctlOnDevNullIsEnottyNamedAfterTheRequest() {
        int fd = Libc.open("/dev/null", Libc.O_RDWR);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment arg = arena.allocate(16);
            SyscallException e = catchThrowableOfType(SyscallException.class,
                    () -> Libc.ioctl(fd, Ioctl.io("VFIO_DEVICE_GET_INFO", ';', 107), arg));
            assertThat(e.known()).contains(Errno.ENOTTY);
            assertThat(e.call()).isEqualTo("VFIO_DEVICE_GET_INFO");
            SyscallException e2 = catchThrowableOfType(SyscallException.class,
                    () -> Libc.ioctl(fd, Ioctl.io("VFIO_CHECK_EXTENSION", ';', 101), 3));
            assertThat(e2.known()).contains(Errno.ENOTTY);
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void openSetsCloseOnExec() throws IOException {
        int fd = Libc.open("/dev/null", Libc.O_RDONLY);
        try {
            String info = Files.readString(Path.of("/proc/self/fdinfo/" + fd));
            String flags = info.lines().filter(l -> l.startsWith("flags:")).findFirst().orElseThrow();
            int octal = Integer.parseInt(flags.substring(6).trim(), 8);
            assertThat(octal & Libc.O_CLOEXEC).isEqualTo(Libc.O_CLOEXEC);
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void preadAndPwriteMoveBytesAtTheOffset(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("region");
        Files.write(file, new byte[64]);
        int fd = Libc.open(file.toString(), Libc.O_RDWR);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(4);
            out.set(ValueLayout.JAVA_INT_UNALIGNED, 0, 0x11223344);
            assertThat(Libc.pwrite(fd, out, 0x21, "pwrite")).isEqualTo(4);
            MemorySegment in = arena.allocate(2);
            assertThat(Libc.pread(fd, in, 0x22, "pread")).isEqualTo(2);
            assertThat(in.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0)).isEqualTo((short) 0x2233);
            assertThat(Libc.pread(fd, arena.allocate(8), 62, "pread at the end")).as("short read at EOF").isEqualTo(2);
        } finally {
            Libc.close(fd);
        }
        assertThat(Files.readAllBytes(file)[0x21]).isEqualTo((byte) 0x44);
    }

    @Test
    void preadOfADirectoryIsEisdirNamedByTheCaller(@TempDir Path dir) {
        int fd = Libc.open(dir.toString(), Libc.O_RDONLY);
        try (Arena arena = Arena.ofConfined()) {
            SyscallException e = catchThrowableOfType(SyscallException.class,
                    () -> Libc.pread(fd, arena.allocate(4), 0, "config region of 0000:01:00.0"));
            assertThat(e.known()).contains(Errno.EISDIR);
            assertThat(e.call()).isEqualTo("config region of 0000:01:00.0");
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void eventfdCountsWhatIsWritten() {
        int fd = Libc.eventfd(0, Libc.EFD_NONBLOCK);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(8);
            SyscallException empty = catchThrowableOfType(SyscallException.class, () -> Libc.read(fd, v, "read eventfd"));
            assertThat(empty.known()).as("a non-blocking read of a zero counter").contains(Errno.EAGAIN);
            v.set(ValueLayout.JAVA_LONG, 0, 5);
            Libc.write(fd, v, "write eventfd");
            Libc.write(fd, v, "write eventfd");
            v.set(ValueLayout.JAVA_LONG, 0, 0);
            assertThat(Libc.read(fd, v, "read eventfd")).isEqualTo(8);
            assertThat(v.get(ValueLayout.JAVA_LONG, 0)).isEqualTo(10);
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void closingTwiceIsEbadf() {
        int fd = Libc.open("/dev/null", Libc.O_RDONLY);
        Libc.close(fd);
        SyscallException e = catchThrowableOfType(SyscallException.class, () -> Libc.close(fd));
        assertThat(e.known()).contains(Errno.EBADF);
    }

    @Test
    void failuresLeaveNoDescriptorBehind() {
        long before = OpenFds.count();
        for (int i = 0; i < 100; i++) {
            catchThrowableOfType(SyscallException.class, () -> Libc.open("/nonexistent", Libc.O_RDONLY));
            int fd = Libc.open("/dev/null", Libc.O_RDONLY);
            catchThrowableOfType(SyscallException.class, () -> Libc.ioctl(fd, Ioctl.io("X", ';', 100), 0));
            Libc.close(fd);
        }
        assertThat(OpenFds.count()).isEqualTo(before);
    }

    @Test
    void errnoIsCapturedPerThread() {
        CompletableFuture<Void> a = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 2000; i++) {
                assertThat(catchThrowableOfType(SyscallException.class,
                        () -> Libc.open("/nonexistent", Libc.O_RDONLY)).errno()).isEqualTo(2);
            }
        });
        CompletableFuture<Void> b = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 2000; i++) {
                assertThat(catchThrowableOfType(SyscallException.class, () -> Libc.close(-1)).errno()).isEqualTo(9);
            }
        });
        a.join();
        b.join();
    }

    @Test
    void strerrorIsLibcsText() {
        assertThat(Libc.strerror(25)).isEqualTo("Inappropriate ioctl for device");
        assertThat(new String(Libc.strerror(13).getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                .isEqualTo("Permission denied");
    }
}
