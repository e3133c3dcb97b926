package dev.vcap.linux.uapi;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct vfio_irq_set} (VFIO_DEVICE_SET_IRQS; include/uapi/linux/vfio.h, Linux 7.3), a header
 * followed by {@code count} data items:
 *
 * <pre>
 *  0 u32 argsz    header + data
 *  4 u32 flags    one DATA_* (NONE 1, BOOL 2, EVENTFD 4) | one ACTION_* (MASK 8, UNMASK 0x10, TRIGGER 0x20)
 *  8 u32 index    INTx 0, MSI 1, MSI-X 2, ...
 * 12 u32 start    first vector
 * 16 u32 count    vectors; 0 with DATA_NONE|ACTION_TRIGGER disables the index
 * 20 u8  data[]   DATA_EVENTFD: one s32 eventfd per vector (-1 de-assigns)
 * </pre>
 */
public final class VfioIrqSet {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("argsz"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("index"),
            JAVA_INT.withName("start"),
            JAVA_INT.withName("count")).withName("vfio_irq_set");

    /** offsetof(data). */
    public static final long DATA = LAYOUT.byteSize();

    private static final VarHandle ARGSZ = LAYOUT.varHandle(groupElement("argsz"));
    private static final VarHandle FLAGS = LAYOUT.varHandle(groupElement("flags"));
    private static final VarHandle INDEX = LAYOUT.varHandle(groupElement("index"));
    private static final VarHandle START = LAYOUT.varHandle(groupElement("start"));
    private static final VarHandle COUNT = LAYOUT.varHandle(groupElement("count"));

    private VfioIrqSet() {
    }

    /** DATA_EVENTFD | ACTION_TRIGGER: signal vector {@code start + i} on {@code eventfds[i]} (enables the index). */
    public static MemorySegment trigger(Arena arena, int index, int start, int[] eventfds) {
        MemorySegment s = header(arena, VfioIoctls.IRQ_SET_DATA_EVENTFD | VfioIoctls.IRQ_SET_ACTION_TRIGGER, index,
                start, eventfds.length, DATA + 4L * eventfds.length);
        MemorySegment.copy(eventfds, 0, s, JAVA_INT, DATA, eventfds.length);
        return s;
    }

    /** DATA_NONE | ACTION_TRIGGER with count 0: disable every vector of the index. */
    public static MemorySegment disable(Arena arena, int index) {
        return header(arena, VfioIoctls.IRQ_SET_DATA_NONE | VfioIoctls.IRQ_SET_ACTION_TRIGGER, index, 0, 0, DATA);
    }

    private static MemorySegment header(Arena arena, int flags, int index, int start, int count, long argsz) {
        MemorySegment s = arena.allocate(argsz, LAYOUT.byteAlignment());
        ARGSZ.set(s, 0L, (int) argsz);
        FLAGS.set(s, 0L, flags);
        INDEX.set(s, 0L, index);
        START.set(s, 0L, start);
        COUNT.set(s, 0L, count);
        return s;
    }
}
