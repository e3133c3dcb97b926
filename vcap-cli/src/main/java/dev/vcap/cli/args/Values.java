package dev.vcap.cli.args;

/**
 * Conversions of option values; each throws {@link IllegalArgumentException} with the message
 * that follows "Invalid value for option '--x': ".
 */
public final class Values {

    private Values() {
    }

    /** A decimal {@code int}. */
    public static int toInt(String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' is not an int");
        }
    }

    /** A decimal {@code long}. */
    public static long toLong(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' is not a long");
        }
    }
}
