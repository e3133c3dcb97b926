package dev.vcap.pci.config;

/**
 * Zero-padded hex for what vcap prints of config space (offsets, IDs, register values), written
 * by hand: {@link java.util.Formatter}'s first use loads the locale's number formats, about 10 ms
 * of a run that prints one device, and placement names offsets by the hundred.
 */
public final class Hex {

    private Hex() {
    }

    /** {@code %0Nx}: lower-case hex of {@code value}, at least {@code digits} digits. */
    public static String padded(long value, int digits) {
        String hex = Long.toHexString(value);
        return hex.length() >= digits ? hex : "0".repeat(digits - hex.length()) + hex;
    }
}
