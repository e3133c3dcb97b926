package dev.vcap.pci.decode;

/**
 * One named field of one register, as a decoded view reports it.
 *
 * @param register the register's name as the PCI specifications spell it, e.g. {@code "PASID Capability"}
 * @param field    the field's name, e.g. {@code "Max PASID Width"}
 * @param offset   the register's offset in config space (absolute, not relative to the structure)
 * @param width    the register's size in bytes (1, 2, 4 or 8)
 * @param bitLow   lowest bit of the field within the register
 * @param bitHigh  highest bit of the field within the register (inclusive)
 * @param value    the field's value, shifted down to bit 0; 0 when the register was not captured
 * @param meaning  the value for people: {@code +}/{@code -} for single bits (as lspci prints them), a
 *                 decoded quantity or encoding otherwise, {@link #NOT_CAPTURED} when the register lies
 *                 outside the captured bytes
 */
public record RegisterField(String register, String field, int offset, int width, int bitLow, int bitHigh, long value,
        String meaning) {

    /** The register name of every extended capability's header (ID, version, next offset). */
    public static final String EXTENDED_CAPABILITY_HEADER = "Extended Capability Header";

    /** The meaning of every field of a register that lies outside the captured bytes. */
    public static final String NOT_CAPTURED = "not captured";

    /** Number of bits in the field. */
    public int bits() {
        return bitHigh - bitLow + 1;
    }

    /** The field's mask within its register. */
    public long mask() {
        long ones = bits() >= 64 ? -1L : (1L << bits()) - 1;
        return ones << bitLow;
    }

    /** True when the register was captured (the value is device data, not a stand-in zero). */
    public boolean captured() {
        return !NOT_CAPTURED.equals(meaning);
    }

    /** True for a single-bit field. */
    public boolean isFlag() {
        return bitLow == bitHigh;
    }

    @Override
    public String toString() {
        String bits = isFlag() ? Integer.toString(bitLow) : bitHigh + ":" + bitLow;
        return String.format("0x%03x %s [%s] %s = %s", offset, register, bits, field, meaning);
    }
}
