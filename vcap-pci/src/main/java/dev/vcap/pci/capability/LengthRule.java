package dev.vcap.pci.capability;

import dev.vcap.pci.config.ConfigSpace;

/**
 * How long a capability structure is. Extended headers carry no length, and several standard ones
 * do not either, so every catalogue entry says how to find it: a fixed size, or a computation from
 * the capability's own registers (and, for per-lane structures, the link width).
 *
 * <p>The {@link #UNKNOWN_SIZE} rule means the catalogue does not know the structure's size; the
 * walker then bounds the capability conservatively by the next capability above it.
 *
 * @param description one line for documentation, e.g. {@code "10, +4 if 64-bit, +10 if per-vector masking"}
 * @param function    the computation; reads device data with never-throwing reads
 */
public record LengthRule(String description, Function function) {

    /** Returned by {@link #length} when the size is not known. */
    public static final int UNKNOWN = -1;

    /** The rule for structures whose size the catalogue does not know. */
    public static final LengthRule UNKNOWN_SIZE = new LengthRule("unknown: bounded by the next capability",
            (cs, offset, traits) -> UNKNOWN);

    /** A length computation over device data. */
    @FunctionalInterface
    public interface Function {
        int length(ConfigSpace cs, int offset, DeviceTraits traits);
    }

    public static LengthRule fixed(int bytes) {
        return new LengthRule(Integer.toString(bytes), (cs, offset, traits) -> bytes);
    }

    public static LengthRule computed(String description, Function function) {
        return new LengthRule(description, function);
    }

    /** The architected length in bytes, or {@link #UNKNOWN}. Never throws on device data. */
    public int length(ConfigSpace cs, int offset, DeviceTraits traits) {
        return function.length(cs, offset, traits);
    }

    public boolean isKnown() {
        return this != UNKNOWN_SIZE;
    }
}
