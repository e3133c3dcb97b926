package dev.vcap.linux.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.vcap.host.Errno;
import dev.vcap.linux.testing.OpenFds;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FdTest {

    @Test
    void closesOnceAndRefusesUseAfterClose() {
        long before = OpenFds.count();
        Fd fd = Fd.open("/dev/zero", Libc.O_RDONLY);
        assertThat(OpenFds.count()).isEqualTo(before + 1);
        fd.close();
        fd.close();
        assertThat(OpenFds.count()).isEqualTo(before);
        SyscallException e = catchThrowableOfType(SyscallException.class, () -> fd.use(n -> n));
        assertThat(e.known()).contains(Errno.EBADF);
        assertThat(e.call()).isEqualTo("/dev/zero (closed)");
        assertThat(fd.isOpen()).isFalse();
    }

    @Test
    void aFailedOpenLeavesNothing() {
        long before = OpenFds.count();
        catchThrowableOfType(SyscallException.class, () -> Fd.open("/nonexistent", Libc.O_RDONLY));
        assertThat(OpenFds.count()).isEqualTo(before);
    }

    @Test
    void usesRunningWhileItClosesFinishOnTheOpenDescriptor() throws Exception {
        Fd fd = Fd.open("/dev/zero", Libc.O_RDONLY);
        AtomicLong reads = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        CountDownLatch started = new CountDownLatch(4);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment buf = arena.allocate(4);
                    started.countDown();
                    while (true) {
                        try {
                            fd.use(n -> Libc.pread(n, buf, 0, "read /dev/zero"));
                            reads.incrementAndGet();
                        } catch (SyscallException e) {
                            assertThat(e.call()).as("only the closed Fd refuses, never the kernel").endsWith("(closed)");
                            refused.incrementAndGet();
                            return;
                        }
                    }
                }
            }));
        }
        started.await();
        Thread.sleep(20);
        fd.close();
        for (Thread t : threads) {
            t.join();
        }
        assertThat(reads.get()).isPositive();
        assertThat(refused.get()).isEqualTo(4);
    }
}
