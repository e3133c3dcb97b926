package dev.vcap.vmm.files;

/**
 * A malformed operator file (quirk table, layout file, contract): the message names the file, the
 * line, the field and what was expected, as {@code FILE:LINE: field: problem; expected ...}.
 */
public final class FileFormatException extends RuntimeException {

    private final String file;
    private final int line;
    private final String field;

    public FileFormatException(String file, int line, String field, String message) {
        super(file + (line > 0 ? ":" + line : "") + ": " + (field == null || field.isEmpty() ? "" : field + ": ")
                + message);
        this.file = file;
        this.line = line;
        this.field = field;
    }

    public String file() {
        return file;
    }

    /** 1-based line, or 0 when the problem is the whole file. */
    public int line() {
        return line;
    }

    /** The field path, e.g. {@code quirks[2].forbid[0].range}, or empty. */
    public String field() {
        return field;
    }
}
