package dev.vcap.linux;

import dev.vcap.host.Errno;
import dev.vcap.host.HostException;
import dev.vcap.linux.sys.SyscallException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/** Turns a failed system call into the host contract's error: the kernel's errno, the call named. */
final class Kernel {

    private Kernel() {
    }

    /**
     * Runs {@code call}; a {@link SyscallException} becomes a {@link HostException} carrying its errno
     * and call, with {@code detail} (what was asked: device, object IDs) as the message.
     */
    static long call(String detail, LongSupplier call) {
        try {
            return call.getAsLong();
        } catch (SyscallException e) {
            throw failure(e, detail);
        }
    }

    /** Runs {@code open}; a {@link SyscallException} becomes a {@link HostException} with {@code detail}. */
    static <T> T failing(Supplier<T> open, String detail) {
        try {
            return open.get();
        } catch (SyscallException e) {
            throw failure(e, detail);
        }
    }

    static HostException failure(SyscallException e, String detail) {
        Errno errno = Errno.find(e.errno()).orElseThrow(() -> new IllegalStateException(
                e.call() + " failed with errno " + e.errno() + ", which Linux does not define", e));
        HostException h = HostException.fromKernel(e.call(), errno, detail);
        h.initCause(e);
        return h;
    }
}
