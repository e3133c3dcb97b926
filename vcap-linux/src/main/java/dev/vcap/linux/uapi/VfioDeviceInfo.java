package dev.vcap.linux.uapi;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct vfio_device_info} (VFIO_DEVICE_GET_INFO; include/uapi/linux/vfio.h, Linux 7.3):
 *
 * <pre>
 *  0 u32 argsz
 *  4 u32 flags         out: RESET 1, PCI 2, ..., CAPS 0x80
 *  8 u32 num_regions   out: max region index + 1 (9 for vfio-pci without device regions)
 * 12 u32 num_irqs      out: max IRQ index + 1
 * 16 u32 cap_offset    out, with CAPS: offset of the first capability
 * 20 u32 pad
 * 24
 * </pre>
 *
 * The kernel needs {@code argsz} to reach the end of {@code num_irqs} (16).
 */
public final class VfioDeviceInfo {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("argsz"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("num_regions"),
            JAVA_INT.withName("num_irqs"),
            JAVA_INT.withName("cap_offset"),
            JAVA_INT.withName("pad")).withName("vfio_device_info");

    private static final VarHandle ARGSZ = LAYOUT.varHandle(groupElement("argsz"));
    private static final VarHandle FLAGS = LAYOUT.varHandle(groupElement("flags"));
    private static final VarHandle NUM_REGIONS = LAYOUT.varHandle(groupElement("num_regions"));
    private static final VarHandle NUM_IRQS = LAYOUT.varHandle(groupElement("num_irqs"));

    /** The answer. */
    public record Info(int flags, int numRegions, int numIrqs) {
        public boolean resetSupported() {
            return (flags & VfioIoctls.DEVICE_FLAGS_RESET) != 0;
        }

        public boolean pci() {
            return (flags & VfioIoctls.DEVICE_FLAGS_PCI) != 0;
        }
    }

    private VfioDeviceInfo() {
    }

    public static MemorySegment request(Arena arena) {
        MemorySegment s = arena.allocate(LAYOUT);
        ARGSZ.set(s, 0L, (int) LAYOUT.byteSize());
        return s;
    }

    public static Info read(MemorySegment s) {
        return new Info((int) FLAGS.get(s, 0L), (int) NUM_REGIONS.get(s, 0L), (int) NUM_IRQS.get(s, 0L));
    }
}
