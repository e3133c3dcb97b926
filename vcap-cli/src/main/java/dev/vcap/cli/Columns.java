package dev.vcap.cli;

/**
 * Left-justified columns for text output, written by hand as {@link dev.vcap.pci.config.Hex} is:
 * the first use of {@link java.util.Formatter} loads the locale's number formats, about 10 ms of a
 * run that prints one device (docs/PERFORMANCE.md).
 */
final class Columns {

    private Columns() {
    }

    /** {@code %-Ns}: {@code text} padded with spaces to {@code width}, never cut. */
    static String left(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }
}
