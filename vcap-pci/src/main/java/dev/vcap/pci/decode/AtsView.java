package dev.vcap.pci.decode;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import java.util.List;

/**
 * Address Translation Services (ATS) extended capability, ID 0x0F, 8 bytes (PCIe base spec 10.5.1).
 *
 * <pre>
 *  31                            16 15                             0
 * +--------------------------------+--------------------------------+
 * |        Extended Capability Header (ID 0x000F)                   | +0x00
 * +--------------------------------+--------------------------------+
 * |        ATS Control             |        ATS Capability          | +0x04
 * +--------------------------------+--------------------------------+
 *
 * ATS Capability (RO): 7 Relaxed Ordering Supported, 6 Global Invalidate Supported,
 *                      5 Page Aligned Request, 4:0 Invalidate Queue Depth (0 = 32)
 * ATS Control (RW):    15 Enable, 4:0 Smallest Translation Unit (STU = 2^(12+n) bytes)
 * </pre>
 *
 * @param cs     the bytes
 * @param offset where the capability header is
 */
public record AtsView(ConfigSpace cs, int offset) implements CapabilityView {

    /** ATS Capability register, 16 bits. */
    public static final int CAPABILITY = 0x04;
    public static final int INVALIDATE_QUEUE_DEPTH_MASK = 0x1F;
    public static final int PAGE_ALIGNED_REQUEST = 1 << 5;
    public static final int GLOBAL_INVALIDATE_SUPPORTED = 1 << 6;
    public static final int RELAXED_ORDERING_SUPPORTED = 1 << 7;

    /** ATS Control register, 16 bits. */
    public static final int CONTROL = CAPABILITY + 2;
    public static final int SMALLEST_TRANSLATION_UNIT_MASK = 0x1F;
    public static final int ENABLE = 1 << 15;

    /** Size of the structure. */
    public static final int LENGTH = CONTROL + 2;

    /** The queue depth an Invalidate Queue Depth field of 0 stands for. */
    public static final int MAX_INVALIDATE_QUEUE_DEPTH = 32;
    /** The STU field counts from 4 KiB pages: STU size = 2^(12 + field). */
    public static final int STU_BASE_SHIFT = 12;

    @Override
    public CapabilityKind kind() {
        return ExtendedCapability.ATS;
    }

    public int capability() {
        return read16(CAPABILITY);
    }

    /** The raw Invalidate Queue Depth field (0 means 32). */
    public int invalidateQueueDepth() {
        return capability() & INVALIDATE_QUEUE_DEPTH_MASK;
    }

    /** Invalidate requests the device can queue: the field, with 0 read as 32. */
    public int effectiveInvalidateQueueDepth() {
        int depth = invalidateQueueDepth();
        return depth == 0 ? MAX_INVALIDATE_QUEUE_DEPTH : depth;
    }

    public boolean pageAlignedRequest() {
        return (capability() & PAGE_ALIGNED_REQUEST) != 0;
    }

    public boolean globalInvalidateSupported() {
        return (capability() & GLOBAL_INVALIDATE_SUPPORTED) != 0;
    }

    public boolean relaxedOrderingSupported() {
        return (capability() & RELAXED_ORDERING_SUPPORTED) != 0;
    }

    public int control() {
        return read16(CONTROL);
    }

    /** The raw Smallest Translation Unit field: translations cover at least 2^(12 + field) bytes. */
    public int smallestTranslationUnit() {
        return control() & SMALLEST_TRANSLATION_UNIT_MASK;
    }

    /** The smallest translation in bytes. */
    public long smallestTranslationBytes() {
        return 1L << STU_BASE_SHIFT + smallestTranslationUnit();
    }

    public boolean enabled() {
        return (control() & ENABLE) != 0;
    }

    @Override
    public List<RegisterField> fields() {
        FieldList f = new FieldList(this).extendedHeader();
        f.register("ATS Capability", CAPABILITY, 2)
                .add("Invalidate Queue Depth", INVALIDATE_QUEUE_DEPTH_MASK,
                        v -> v == 0 ? "0 (" + MAX_INVALIDATE_QUEUE_DEPTH + ")" : Long.toString(v))
                .flag("Page Aligned Request", PAGE_ALIGNED_REQUEST)
                .flag("Global Invalidate Supported", GLOBAL_INVALIDATE_SUPPORTED)
                .flag("Relaxed Ordering Supported", RELAXED_ORDERING_SUPPORTED);
        f.register("ATS Control", CONTROL, 2)
                .add("Smallest Translation Unit", SMALLEST_TRANSLATION_UNIT_MASK,
                        v -> v + " (" + Text.size(1L << STU_BASE_SHIFT + v) + ")")
                .flag("Enable", ENABLE);
        return f.list();
    }
}
