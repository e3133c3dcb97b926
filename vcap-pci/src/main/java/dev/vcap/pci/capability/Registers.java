package dev.vcap.pci.capability;

import dev.vcap.pci.config.ConfigSpace;

/**
 * Reads that never throw: a register that was not captured reads as zero. Length rules and the
 * chain walker use these on device data, which may be cut short anywhere.
 */
final class Registers {

    private Registers() {
    }

    static int u8(ConfigSpace cs, int offset) {
        return cs.captured(offset, 1) ? cs.u8(offset) : 0;
    }

    static int u16(ConfigSpace cs, int offset) {
        return cs.captured(offset, 2) ? cs.u16(offset) : 0;
    }

    static int u32(ConfigSpace cs, int offset) {
        return cs.captured(offset, 4) ? cs.u32(offset) : 0;
    }
}
