package dev.vcap.linux;

import dev.vcap.host.Errno;
import dev.vcap.linux.sys.Fd;
import dev.vcap.linux.sys.Libc;
import dev.vcap.linux.sys.SyscallException;
import dev.vcap.linux.uapi.VfioIoctls;
import dev.vcap.linux.uapi.VfioIrqSet;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Vectors of one interrupt index enabled through VFIO_DEVICE_SET_IRQS (DATA_EVENTFD |
 * ACTION_TRIGGER), one eventfd each. This is how a VMM enables MSI or MSI-X: vfio-pci then programs
 * the device's MSI/MSI-X capability itself ({@code vfio_msi_enable}). {@link #close()} disables the
 * index (DATA_NONE | ACTION_TRIGGER, count 0) and closes the eventfds, on every path.
 */
public final class IrqEventfds implements AutoCloseable {

    private final LinuxVfioDevice device;
    private final Fd deviceFd;
    private final int index;
    private final List<Fd> eventfds;
    private boolean closed;

    private IrqEventfds(LinuxVfioDevice device, Fd deviceFd, int index, List<Fd> eventfds) {
        this.device = device;
        this.deviceFd = deviceFd;
        this.index = index;
        this.eventfds = eventfds;
    }

    static IrqEventfds enable(LinuxVfioDevice device, Fd deviceFd, int index, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("enable at least one vector, not " + count);
        }
        List<Fd> fds = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                fds.add(Fd.adopt((int) Kernel.call("", () -> Libc.eventfd(0, Libc.EFD_NONBLOCK)),
                        "eventfd " + i + " of " + device.address() + " IRQ index " + index));
            }
            int[] numbers = fds.stream().mapToInt(Fd::number).toArray();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment s = VfioIrqSet.trigger(arena, index, 0, numbers);
                Kernel.call(device.address() + " IRQ index " + index + ", " + count + " vectors",
                        () -> deviceFd.use(n -> Libc.ioctl(n, VfioIoctls.DEVICE_SET_IRQS, s)));
            }
            return new IrqEventfds(device, deviceFd, index, fds);
        } catch (RuntimeException e) {
            for (Fd fd : fds) {
                try {
                    fd.close();
                } catch (SyscallException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** The IRQ index: MSI 1, MSI-X 2. */
    public int index() {
        return index;
    }

    /** Enabled vectors. */
    public int count() {
        return eventfds.size();
    }

    /** Reads and clears vector {@code vector}'s eventfd counter: how often it fired since the last read (0: never). */
    public long drain(int vector) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(ValueLayout.JAVA_LONG);
            try {
                eventfds.get(vector).use(n -> Libc.read(n, v, "read eventfd"));
            } catch (SyscallException e) {
                if (e.errno() == Errno.EAGAIN.value()) { // a non-blocking read of a zero counter
                    return 0;
                }
                throw Kernel.failure(e, device.address() + " vector " + vector);
            }
            return v.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    /**
     * Disables the index, then closes the eventfds (they are closed even when the disable fails). After
     * the device file was closed there is nothing to disable: the kernel released the vectors with it.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (Arena arena = Arena.ofConfined()) {
            if (!deviceFd.isOpen()) {
                return;
            }
            MemorySegment s = VfioIrqSet.disable(arena, index);
            Kernel.call(device.address() + " disable IRQ index " + index,
                    () -> deviceFd.use(n -> Libc.ioctl(n, VfioIoctls.DEVICE_SET_IRQS, s)));
        } finally {
            for (Fd fd : eventfds) {
                fd.close();
            }
        }
    }
}
