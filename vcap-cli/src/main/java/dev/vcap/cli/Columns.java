package dev.vcap.cli;

/**
 * Zero-padded hex and left-justified columns for text output, written by hand: the first use of
 * {@link java.util.Formatter} loads the locale's number formats, about 10 ms of a run that prints
 * one device (docs/PERFORMANCE.md).
 */
final class Columns {

    private Columns() {
    }

    /** {@code %0Nx}: lower-case hex, at least {@code digits} digits. */
    static String hex(long value, int digits) {
        String hex = Long.toHexString(value);
        return hex.length() >= digits ? hex : "0".repeat(digits - hex.length()) + hex;
    }

    /** {@code %-Ns}: {@code text} padded with spaces to {@code width}, never cut. */
    static String left(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }
}
