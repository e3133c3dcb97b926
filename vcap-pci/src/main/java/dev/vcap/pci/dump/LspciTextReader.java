package dev.vcap.pci.dump;

import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.PciAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.NoSuchElementException;

/**
 * Reads {@code lspci -x}, {@code -xxx} and {@code -xxxx} text: one or many devices per file, each a
 * header line ({@code bb:dd.f text} or {@code dddd:bb:dd.f text}, text of any length) followed by
 * hex lines ({@code OFF: xx xx ... xx}, 16 bytes each, consecutive from offset 0). Verbose text
 * between the header and the hex ({@code lspci -vvvxxx}) is skipped; LF and CRLF both work.
 *
 * <p>It is stricter than {@code lspci -F}, which skips what it does not understand: a malformed or
 * missing hex line, a hex line without a device, a device without hex, binary data and duplicate
 * addresses are {@link DumpFormatException}s naming the line and what was expected.
 *
 * <p>Streams: it holds one device and a 1 MiB buffer, whatever the file size. A line longer than
 * the buffer keeps its first MiB (only description text can be that long).
 */
public final class LspciTextReader implements DeviceSource {

    private static final int BUFFER_SIZE = 1 << 20;
    private static final int BYTES_PER_LINE = ConfigSpace.LINE_SIZE;
    private static final int MAX_OFFSET_DIGITS = 8;
    private static final byte[] HEX = new byte[256];
    /** Lengths of bb:dd.f, dddd:bb:dd.f and ddddd:bb:dd.f. */
    private static final int[] ADDRESS_LENGTHS = {7, 12, 13};

    static {
        Arrays.fill(HEX, (byte) -1);
        for (int i = 0; i < 10; i++) {
            HEX['0' + i] = (byte) i;
        }
        for (int i = 0; i < 6; i++) {
            HEX['a' + i] = (byte) (10 + i);
            HEX['A' + i] = (byte) (10 + i);
        }
    }

    private final InputStream in;
    private final String name;
    private final byte[] buf = new byte[BUFFER_SIZE];
    private int pos;
    private int limit;
    private boolean eof;
    private boolean skipRestOfLine;
    private long lineNo;
    private int lineStart;
    private int lineEnd;

    private final AddressSet seen = new AddressSet();
    private PciAddress address;
    private String description;
    private long headerLine;
    private final byte[] data = new byte[ConfigSpace.EXTENDED_SIZE];
    private int nextOffset;
    private DeviceImage pending;
    private boolean anyDevice;
    private boolean finished;

    /**
     * @param in   the text; closed by {@link #close()}
     * @param name what to call the source in messages (usually the file name)
     */
    public LspciTextReader(InputStream in, String name) {
        this.in = in;
        this.name = name;
    }

    @Override
    public boolean hasNext() {
        if (pending == null && !finished) {
            pending = advance();
        }
        return pending != null;
    }

    @Override
    public DeviceImage next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        DeviceImage d = pending;
        pending = null;
        return d;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** Reads lines until a device is complete; null at the end of the input. */
    private DeviceImage advance() {
        // the hex lines of the common layout are taken before each line read one by one
        for (readHexLines(); readLine(); readHexLines()) {
            if (isBlank()) {
                if (address != null) {
                    return finishDevice();
                }
                continue;
            }
            int digits = hexLineDigits();
            if (digits > 0) {
                hexLine(digits);
                continue;
            }
            PciAddress a = headerAddress();
            if (a != null) {
                DeviceImage done = address != null ? finishDevice() : null;
                startDevice(a);
                if (done != null) {
                    return done;
                }
                continue;
            }
            if (address != null && nextOffset > 0) {
                throw error(lineNo, "expected a hex line '" + String.format("%02x", nextOffset)
                        + ": ' with 16 bytes, a blank line or the next device's header, found \"" + excerpt() + "\"");
            }
            // description text (lspci -v) or text between devices: skipped, as lspci -F does
        }
        finished = true;
        if (address != null) {
            return finishDevice();
        }
        if (!anyDevice) {
            throw new DumpFormatException(name, 0, "no device found; expected lspci -x/-xxx/-xxxx output (a "
                    + "'bb:dd.f description' line followed by hex lines like '00: 86 80 ...') or a binary config image of "
                    + "64, 256 or 4096 bytes");
        }
        return null;
    }

    private void startDevice(PciAddress a) {
        if (!seen.add(a)) {
            throw error(lineNo, "duplicate device address " + a + ": it appears earlier in this file; expected each"
                    + " address once");
        }
        address = a;
        int textStart = lineStart + addressLength();
        while (textStart < lineEnd && buf[textStart] == ' ') {
            textStart++;
        }
        description = decode(textStart, lineEnd);
        headerLine = lineNo;
        nextOffset = 0;
    }

    private DeviceImage finishDevice() {
        PciAddress a = address;
        address = null;
        if (nextOffset == 0) {
            throw error(headerLine, "device " + a + " has no hex dump; expected hex lines like '00: 86 80 ...' after"
                    + " its header line (lspci -x, -xxx or -xxxx)");
        }
        if (nextOffset < ConfigSpace.HEADER_SIZE) {
            throw error(headerLine, "device " + a + " has " + nextOffset + " bytes of config space; expected at least"
                    + " the 64-byte header (4 hex lines)");
        }
        anyDevice = true;
        return new DeviceImage(a, description, ConfigSpace.wrap(Arrays.copyOf(data, nextOffset)),
                name + ":" + headerLine);
    }

    /** Parses one hex line whose offset has {@code digits} hex digits. */
    private void hexLine(int digits) {
        int offset = 0;
        for (int i = 0; i < digits; i++) {
            offset = offset << 4 | HEX[buf[lineStart + i] & 0xFF];
        }
        if (address == null) {
            throw error(lineNo, "hex line without a device header line before it; expected a line 'bb:dd.f description'"
                    + " (as lspci prints) first");
        }
        if (offset != nextOffset) {
            if (offset >= ConfigSpace.EXTENDED_SIZE) {
                throw error(lineNo, String.format("offset 0x%x is beyond the 4096-byte config space", offset));
            }
            throw error(lineNo, offset > nextOffset
                    ? String.format("expected the line at offset 0x%02x, found offset 0x%02x: a line is missing",
                            nextOffset, offset)
                    : String.format("expected the line at offset 0x%02x, found offset 0x%02x: a line is repeated or"
                            + " out of order", nextOffset, offset));
        }
        if (offset >= ConfigSpace.EXTENDED_SIZE) {
            throw error(lineNo, String.format("offset 0x%x is beyond the 4096-byte config space", offset));
        }
        int p = lineStart + digits + 2;
        int end = lineEnd;
        while (end > p && (buf[end - 1] == ' ' || buf[end - 1] == '\t')) {
            end--;
        }
        if (end - p == HEX_LINE_LENGTH && wellFormed(p, offset)) {
            nextOffset = offset + BYTES_PER_LINE;
            return;
        }
        for (int i = 0; i < BYTES_PER_LINE; i++) {
            int hi = p + 1 < end ? HEX[buf[p] & 0xFF] : -1;
            int lo = p + 1 < end ? HEX[buf[p + 1] & 0xFF] : -1;
            boolean separatorOk = i == BYTES_PER_LINE - 1 ? p + 2 == end : p + 2 < end && buf[p + 2] == ' ';
            if (hi < 0 || lo < 0 || !separatorOk) {
                throw error(lineNo, String.format("malformed hex line at offset 0x%02x, byte %d (column %d): expected 16"
                        + " two-digit hex bytes separated by single spaces, found \"%s\"", offset, i,
                        p - lineStart + 1, excerpt()));
            }
            data[offset + i] = (byte) (hi << 4 | lo);
            p += 3;
        }
        nextOffset = offset + BYTES_PER_LINE;
    }

    /**
     * Takes, straight from the buffer, the hex lines that follow as {@code lspci -xxxx} prints them —
     * the expected offset in two (below 0x100) or three digits, {@code ": "}, 16 well-formed bytes,
     * a newline — until a line that is not one, or the end of what is buffered; the line-by-line path
     * takes that line, and reports it when it is wrong. Reading never waits here, so a device is
     * still returned as soon as its blank line is read.
     */
    private void readHexLines() {
        if (address == null || skipRestOfLine) {
            return;
        }
        byte[] b = buf;
        while (nextOffset < ConfigSpace.EXTENDED_SIZE) {
            int digits = nextOffset < ConfigSpace.CONVENTIONAL_SIZE ? 2 : 3;
            int p = pos;
            int newline = p + digits + 2 + HEX_LINE_LENGTH;
            if (newline >= limit || b[newline] != '\n' || b[p + digits] != ':' || b[p + digits + 1] != ' ') {
                return;
            }
            int offset = 0;
            for (int i = 0; i < digits; i++) {
                offset = offset << 4 | HEX[b[p + i] & 0xFF];
            }
            if (offset != nextOffset || !wellFormed(p + digits + 2, offset)) {
                return;
            }
            lineNo++;
            pos = newline + 1;
            nextOffset = offset + BYTES_PER_LINE;
        }
    }

    /** The 16 bytes of a hex line, two digits each and single spaces between: 47 characters. */
    private static final int HEX_LINE_LENGTH = 3 * BYTES_PER_LINE - 1;

    /**
     * Parses the 16 bytes of a line of exactly {@link #HEX_LINE_LENGTH} characters from {@code p}
     * into {@code data} at {@code offset}, and says whether they were well formed; when not, the
     * caller's byte-by-byte loop finds the byte and reports it. Nearly every line of a dump is this.
     */
    private boolean wellFormed(int p, int offset) {
        byte[] b = buf;
        byte[] out = data;
        int invalid = 0; // any digit's value negative
        int separators = 0; // any separator not a space
        for (int i = 0; i < BYTES_PER_LINE; i++) {
            int at = p + 3 * i;
            int value = HEX[b[at] & 0xFF] << 4 | HEX[b[at + 1] & 0xFF];
            invalid |= value;
            out[offset + i] = (byte) value;
        }
        for (int i = 0; i < BYTES_PER_LINE - 1; i++) {
            separators |= b[p + 3 * i + 2] ^ ' ';
        }
        return invalid >= 0 && separators == 0;
    }

    private boolean isBlank() {
        for (int i = lineStart; i < lineEnd; i++) {
            if (buf[i] != ' ' && buf[i] != '\t') {
                return false;
            }
        }
        return true;
    }

    /** Number of offset digits when the current line looks like a hex line ("OFF: "), else 0. */
    private int hexLineDigits() {
        int d = 0;
        while (d < MAX_OFFSET_DIGITS && lineStart + d < lineEnd && HEX[buf[lineStart + d] & 0xFF] >= 0) {
            d++;
        }
        if (d >= 2 && lineStart + d + 1 < lineEnd && buf[lineStart + d] == ':' && buf[lineStart + d + 1] == ' ') {
            return d;
        }
        return 0;
    }

    private int headerAddressLength;

    private int addressLength() {
        return headerAddressLength;
    }

    /** The address when the current line is a device header line, else null. */
    private PciAddress headerAddress() {
        for (int length : ADDRESS_LENGTHS) {
            int end = lineStart + length;
            if (end > lineEnd || end < lineEnd && buf[end] != ' ') {
                continue;
            }
            PciAddress a = PciAddress.tryParse(new AsciiSequence(buf, lineStart, end), 0, length);
            if (a != null) {
                headerAddressLength = length;
                return a;
            }
        }
        return null;
    }

    private String decode(int from, int to) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(buf, from, to - from))
                    .toString();
        } catch (CharacterCodingException e) {
            return new String(buf, from, to - from, StandardCharsets.ISO_8859_1);
        }
    }

    private String excerpt() {
        int n = Math.min(lineEnd - lineStart, 60);
        StringBuilder sb = new StringBuilder(n + 3);
        for (int i = 0; i < n; i++) {
            int c = buf[lineStart + i] & 0xFF;
            sb.append(c >= 0x20 && c < 0x7F ? (char) c : '?');
        }
        if (lineEnd - lineStart > n) {
            sb.append("...");
        }
        return sb.toString();
    }

    private DumpFormatException error(long line, String message) {
        return new DumpFormatException(name, line, message);
    }

    /**
     * Makes the next line available as {@code buf[lineStart, lineEnd)} without its line ending.
     * False at the end of the input.
     */
    private boolean readLine() {
        try {
            if (skipRestOfLine && !skipToNewline()) {
                return false;
            }
            while (true) {
                for (int i = newlineOrNul(pos, limit); i < limit; i++) {
                    byte b = buf[i];
                    if (b == '\n') {
                        setLine(pos, i);
                        pos = i + 1;
                        return true;
                    }
                    if (b == 0) {
                        throw error(lineNo + 1, "binary data (a NUL byte) in what should be lspci text; expected lspci"
                                + " -x/-xxx/-xxxx output or a binary config image of exactly 64, 256 or 4096 bytes");
                    }
                }
                if (eof) {
                    if (pos < limit) {
                        setLine(pos, limit);
                        pos = limit;
                        return true;
                    }
                    return false;
                }
                if (pos > 0) {
                    System.arraycopy(buf, pos, buf, 0, limit - pos);
                    limit -= pos;
                    pos = 0;
                }
                if (limit == buf.length) {
                    // a line longer than the buffer: keep its first part, skip the rest later
                    setLine(0, limit);
                    pos = limit;
                    skipRestOfLine = true;
                    return true;
                }
                fill();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": " + e.getMessage(), e);
        }
    }

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long NEWLINES = ONES * '\n';

    /**
     * The first index in {@code [from, to)} that may hold a newline or a NUL, eight bytes at a time
     * ({@code to} when none can): a word has such a byte exactly when {@code (x - 0x01..) & ~x &
     * 0x80..} is not zero for {@code x} the word or the word xor newlines, and its lowest flagged
     * byte is one. The caller checks byte by byte from there.
     */
    private int newlineOrNul(int from, int to) {
        int i = from;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            long v = (long) LONG.get(buf, i);
            long n = v ^ NEWLINES;
            long hit = ((v - ONES) & ~v | (n - ONES) & ~n) & HIGHS;
            if (hit != 0) {
                return i + (Long.numberOfTrailingZeros(hit) >>> 3);
            }
        }
        return i;
    }

    private boolean skipToNewline() throws IOException {
        while (true) {
            for (int i = pos; i < limit; i++) {
                if (buf[i] == '\n') {
                    pos = i + 1;
                    skipRestOfLine = false;
                    return true;
                }
            }
            pos = 0;
            limit = 0;
            if (eof) {
                return false;
            }
            fill();
        }
    }

    private void fill() throws IOException {
        int n = in.read(buf, limit, buf.length - limit);
        if (n < 0) {
            eof = true;
        } else {
            limit += n;
        }
    }

    private void setLine(int start, int end) {
        lineNo++;
        lineStart = start;
        lineEnd = end > start && buf[end - 1] == '\r' ? end - 1 : end;
    }

    /** A view of ASCII bytes as characters, so addresses parse without copying. */
    private record AsciiSequence(byte[] bytes, int from, int to) implements CharSequence {
        @Override
        public int length() {
            return to - from;
        }

        @Override
        public char charAt(int index) {
            return (char) (bytes[from + index] & 0xFF);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new AsciiSequence(bytes, from + start, from + end);
        }

        @Override
        public String toString() {
            return new String(bytes, from, to - from, StandardCharsets.ISO_8859_1);
        }
    }
}
