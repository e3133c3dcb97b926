package dev.vcap.linux.uapi;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct vfio_irq_info} (VFIO_DEVICE_GET_IRQ_INFO; include/uapi/linux/vfio.h, Linux 7.3):
 *
 * <pre>
 *  0 u32 argsz
 *  4 u32 flags    out: EVENTFD 1, MASKABLE 2, AUTOMASKED 4, NORESIZE 8
 *  8 u32 index    in: INTx 0, MSI 1, MSI-X 2, ERR 3, REQ 4
 * 12 u32 count    out: vectors in the index (0: the device has none)
 * 16
 * </pre>
 */
public final class VfioIrqInfo {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("argsz"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("index"),
            JAVA_INT.withName("count")).withName("vfio_irq_info");

    private static final VarHandle ARGSZ = LAYOUT.varHandle(groupElement("argsz"));
    private static final VarHandle FLAGS = LAYOUT.varHandle(groupElement("flags"));
    private static final VarHandle INDEX = LAYOUT.varHandle(groupElement("index"));
    private static final VarHandle COUNT = LAYOUT.varHandle(groupElement("count"));

    /** The answer for one IRQ index. */
    public record Irq(int index, int flags, int count) {
    }

    private VfioIrqInfo() {
    }

    public static MemorySegment request(Arena arena, int index) {
        MemorySegment s = arena.allocate(LAYOUT);
        ARGSZ.set(s, 0L, (int) LAYOUT.byteSize());
        INDEX.set(s, 0L, index);
        return s;
    }

    public static Irq read(MemorySegment s) {
        return new Irq((int) INDEX.get(s, 0L), (int) FLAGS.get(s, 0L), (int) COUNT.get(s, 0L));
    }
}
