package dev.vcap.vmm.placement;

import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.occupancy.ByteRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An <b>experimental</b>, vendor-neutral Designated Vendor-Specific Extended Capability by which a
 * device (or its firmware) declares config-space ranges that hold no registers and that a VMM may
 * use for virtual capabilities. No such DVSEC is assigned by the PCI-SIG; this one exists to show
 * what the seed thread's "offset a DVSEC names" option would take (docs/PLACEMENT.md).
 *
 * <pre>
 *  31          20 19  16 15                             0
 * +--------------+------+--------------------------------+
 * | Next Offset  | 1    |  0x0023 (DVSEC)                |  +0x00
 * +--------------+------+--------------------------------+
 * | Length       | Rev 0|  DVSEC Vendor ID = 0xFFFF      |  +0x04  Length = 0x0C + 4 x N
 * +--------------+------+--------------------------------+
 * |   reserved (0)       |  DVSEC ID = 0x7663 ("vc")      |  +0x08
 * +----------------------+--------------------------------+
 * |   Length in bytes    |  Start offset (dword aligned)  |  +0x0C + 4 x i, i = 0..N-1
 * +----------------------+--------------------------------+
 * </pre>
 *
 * <p>DVSEC Vendor ID 0xFFFF is no vendor's, so this DVSEC cannot be mistaken for an assigned one.
 */
public final class FreeSpaceDvsec {

    public static final int VENDOR_ID = 0xFFFF;
    public static final int DVSEC_ID = 0x7663;
    public static final int REVISION = 0;
    public static final int HEADER1 = 0x04;
    public static final int HEADER2 = 0x08;
    public static final int RANGES = 0x0C;
    public static final int RANGE_SIZE = 4;

    private FreeSpaceDvsec() {
    }

    /** The free ranges the first such DVSEC of a device declares; empty when it has none. */
    public static Optional<List<ByteRange>> find(ConfigSpace cs, CapabilityChain chain) {
        for (Capability c : chain.extended()) {
            if (!c.is(ExtendedCapability.DVSEC) || !cs.captured(c.offset(), RANGES)) {
                continue;
            }
            int h1 = cs.u32(c.offset() + HEADER1);
            int h2 = cs.u32(c.offset() + HEADER2);
            if ((h1 & 0xFFFF) != VENDOR_ID || (h2 & 0xFFFF) != DVSEC_ID) {
                continue;
            }
            int length = h1 >>> 20;
            List<ByteRange> ranges = new ArrayList<>();
            for (int at = c.offset() + RANGES; at + RANGE_SIZE <= c.offset() + length && cs.captured(at, 4); at += RANGE_SIZE) {
                int v = cs.u32(at);
                int start = v & 0xFFFF;
                int size = v >>> 16;
                if (size > 0 && start % 4 == 0 && start + size <= ConfigSpace.EXTENDED_SIZE) {
                    ranges.add(ByteRange.ofLength(start, size));
                }
            }
            return Optional.of(ranges);
        }
        return Optional.empty();
    }

    /** Writes the DVSEC's registers (after its 4-byte header) into {@code cs} at {@code offset}. */
    public static void write(ConfigSpace cs, int offset, List<ByteRange> ranges) {
        cs.setU32(offset + HEADER1, (RANGES + RANGE_SIZE * ranges.size()) << 20 | REVISION << 16 | VENDOR_ID);
        cs.setU32(offset + HEADER2, DVSEC_ID);
        for (int i = 0; i < ranges.size(); i++) {
            ByteRange r = ranges.get(i);
            cs.setU32(offset + RANGES + RANGE_SIZE * i, r.length() << 16 | r.start());
        }
    }

    /** The DVSEC's length for {@code n} ranges. */
    public static int length(int n) {
        return RANGES + RANGE_SIZE * n;
    }
}
