package dev.vcap.vmm.config;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.CapabilitySpace;
import java.util.Arrays;
import java.util.Objects;

/**
 * A capability the VMM builds (an "unbound" value, as opposed to one read from a device): its
 * ID, version, reset register values and per-bit write semantics. The header bytes (ID, version,
 * next pointer) are written by the chain editor; {@code registers} holds the whole structure with
 * zeros where the header goes.
 *
 * @param space      which list it goes into
 * @param id         capability ID
 * @param version    header version (extended), ignored for standard capabilities
 * @param registers  reset values of every byte of the structure (length = structure length)
 * @param writeMask  bits the guest may write
 * @param w1cMask    bits the guest clears by writing 1
 * @param hook       side effects and events after a write, or null
 * @param origin     {@link Origin#SYNTHESIZED} or {@link Origin#VIRTUAL}
 */
public record CapabilityDefinition(CapabilitySpace space, int id, int version, byte[] registers, byte[] writeMask,
        byte[] w1cMask, RegisterHook hook, Origin origin) {

    public CapabilityDefinition {
        Objects.requireNonNull(space);
        Objects.requireNonNull(origin);
        if (registers.length != writeMask.length || registers.length != w1cMask.length) {
            throw new IllegalArgumentException("registers and masks differ in length");
        }
        int header = space == CapabilitySpace.STANDARD ? 2 : 4;
        if (registers.length < header) {
            throw new IllegalArgumentException("a capability is at least its " + header + "-byte header");
        }
        registers = registers.clone();
        writeMask = writeMask.clone();
        w1cMask = w1cMask.clone();
    }

    public int length() {
        return registers.length;
    }

    public String name() {
        return CapabilityKind.nameOf(space, id);
    }

    @Override
    public byte[] registers() {
        return registers.clone();
    }

    @Override
    public byte[] writeMask() {
        return writeMask.clone();
    }

    @Override
    public byte[] w1cMask() {
        return w1cMask.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CapabilityDefinition d && d.space == space && d.id == id && d.version == version
                && Arrays.equals(d.registers, registers) && Arrays.equals(d.writeMask, writeMask)
                && Arrays.equals(d.w1cMask, w1cMask) && d.origin == origin && Objects.equals(d.hook, hook);
    }

    @Override
    public int hashCode() {
        return Objects.hash(space, id, version, Arrays.hashCode(registers), origin);
    }

    /** Builds a definition register by register. */
    public static Builder builder(CapabilitySpace space, int id, int version, int length) {
        return new Builder(space, id, version, length);
    }

    /** Little-endian register writer for definitions. */
    public static final class Builder {
        private final CapabilitySpace space;
        private final int id;
        private final int version;
        private final byte[] registers;
        private final byte[] writeMask;
        private final byte[] w1cMask;
        private RegisterHook hook;
        private Origin origin = Origin.SYNTHESIZED;

        private Builder(CapabilitySpace space, int id, int version, int length) {
            this.space = space;
            this.id = id;
            this.version = version;
            this.registers = new byte[length];
            this.writeMask = new byte[length];
            this.w1cMask = new byte[length];
        }

        /** A register's reset value. */
        public Builder value(int offset, int width, int value) {
            put(registers, offset, width, value);
            return this;
        }

        /** Bits of a register the guest may write. */
        public Builder writable(int offset, int width, int mask) {
            put(writeMask, offset, width, mask);
            return this;
        }

        /** Bits of a register the guest clears by writing 1. */
        public Builder writeOneToClear(int offset, int width, int mask) {
            put(w1cMask, offset, width, mask);
            return this;
        }

        public Builder hook(RegisterHook hook) {
            this.hook = hook;
            return this;
        }

        public Builder origin(Origin origin) {
            this.origin = origin;
            return this;
        }

        public CapabilityDefinition build() {
            return new CapabilityDefinition(space, id, version, registers, writeMask, w1cMask, hook, origin);
        }

        private static void put(byte[] to, int offset, int width, int value) {
            for (int i = 0; i < width; i++) {
                to[offset + i] = (byte) (value >>> (8 * i));
            }
        }
    }
}
