package dev.vcap.linux.uapi;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct vfio_region_info} (VFIO_DEVICE_GET_REGION_INFO; include/uapi/linux/vfio.h, Linux 7.3):
 *
 * <pre>
 *  0 u32 argsz
 *  4 u32 flags        out: READ 1, WRITE 2, MMAP 4, CAPS 8
 *  8 u32 index        in: VFIO_PCI_CONFIG_REGION_INDEX (7) for config space
 * 12 u32 cap_offset   out, with CAPS
 * 16 u64 size         out: bytes in the region (256 or 4096 for config space)
 * 24 u64 offset       out: where the region starts in the device file (vfio-pci: index &lt;&lt; 40)
 * 32
 * </pre>
 */
public final class VfioRegionInfo {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("argsz"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("index"),
            JAVA_INT.withName("cap_offset"),
            JAVA_LONG.withName("size"),
            JAVA_LONG.withName("offset")).withName("vfio_region_info");

    private static final VarHandle ARGSZ = LAYOUT.varHandle(groupElement("argsz"));
    private static final VarHandle FLAGS = LAYOUT.varHandle(groupElement("flags"));
    private static final VarHandle INDEX = LAYOUT.varHandle(groupElement("index"));
    private static final VarHandle SIZE = LAYOUT.varHandle(groupElement("size"));
    private static final VarHandle OFFSET = LAYOUT.varHandle(groupElement("offset"));

    /** The answer for one region. */
    public record Region(int index, int flags, long size, long offset) {
        public boolean readable() {
            return (flags & VfioIoctls.REGION_INFO_FLAG_READ) != 0;
        }

        public boolean writable() {
            return (flags & VfioIoctls.REGION_INFO_FLAG_WRITE) != 0;
        }
    }

    private VfioRegionInfo() {
    }

    public static MemorySegment request(Arena arena, int index) {
        MemorySegment s = arena.allocate(LAYOUT);
        ARGSZ.set(s, 0L, (int) LAYOUT.byteSize());
        INDEX.set(s, 0L, index);
        return s;
    }

    public static Region read(MemorySegment s) {
        return new Region((int) INDEX.get(s, 0L), (int) FLAGS.get(s, 0L), (long) SIZE.get(s, 0L),
                (long) OFFSET.get(s, 0L));
    }
}
