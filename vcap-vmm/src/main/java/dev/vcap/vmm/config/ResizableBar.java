package dev.vcap.vmm.config;

import dev.vcap.pci.capability.CapabilitySpace;

/**
 * Resizable BAR as the VMM serves it: each BAR's Capability register advertises only the size
 * its Control register currently selects, and Control is read-only, so the guest sees the
 * capability but cannot resize a BAR the host has mapped.
 *
 * <pre>
 * +0x00 header
 * +0x04 + 8n  Capability (u32): bit (k + 4) set = a size of 2^(k+20) bytes is supported
 * +0x08 + 8n  Control    (u32): 2:0 BAR index, 7:5 number of BARs (first entry), 13:8 BAR size k
 * </pre>
 */
final class ResizableBar {

    static final int CAPABILITY = 0x04;
    static final int CONTROL = 0x08;
    static final int ENTRY = 8;
    static final int SIZE_SHIFT = 8;
    static final int SIZE_MASK = 0x3F;

    private ResizableBar() {
    }

    static CapabilityDefinition currentSizesOnly(VirtualConfigSpace vcs, VirtualCapability c) {
        int length = c.length();
        var b = CapabilityDefinition.builder(CapabilitySpace.EXTENDED, c.id(), c.version(), length)
                .origin(Origin.VIRTUALIZED);
        for (int off = 4; off + 4 <= length; off += 4) {
            b.value(off, 4, vcs.read(c.offset() + off, 4));
        }
        for (int entry = 0; CONTROL + entry * ENTRY + 4 <= length; entry++) {
            int control = vcs.read(c.offset() + CONTROL + entry * ENTRY, 4);
            int size = control >>> SIZE_SHIFT & SIZE_MASK;
            b.value(CAPABILITY + entry * ENTRY, 4, size + 4 < 32 ? 1 << (size + 4) : 0);
        }
        return b.build();
    }
}
