package dev.vcap.pci.dump;

/**
 * Bad input: a file that is not what it claims to be. The message names the file, the line (when
 * there is one) and what was expected, in the form {@code FILE:LINE: what is wrong; expected ...}.
 */
public final class DumpFormatException extends RuntimeException {

    private final String source;
    private final long line;

    public DumpFormatException(String source, long line, String message) {
        super(source + (line > 0 ? ":" + line : "") + ": " + message);
        this.source = source;
        this.line = line;
    }

    /** The file (or other source) the error is in. */
    public String source() {
        return source;
    }

    /** 1-based line number, or 0 when the error is about the whole source. */
    public long line() {
        return line;
    }
}
