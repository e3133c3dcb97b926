package dev.vcap.pci.dump;

import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.DeviceImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes devices as {@code lspci -x}-style text that {@code lspci -F} reads back byte-identical:
 * the header line, then one line of 16 bytes per 16 captured bytes ({@code -xxxx} for a 4 KiB
 * image), then a blank line. Offsets below 0x100 take two digits and the rest three, as lspci
 * prints them. lspci reads lines into a 256-byte buffer, so a description that would make the
 * header line longer than {@value #MAX_HEADER_LINE} characters is cut to fit.
 */
public final class LspciTextWriter {

    /** Longest header line lspci -F accepts, newline excluded (its line buffer is 256 bytes). */
    public static final int MAX_HEADER_LINE = 250;
    private static final byte[] DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final OutputStream out;
    private final byte[] line = new byte[4 + 2 + 16 * 3];

    /** @param out where the text goes; not closed by this writer */
    public LspciTextWriter(OutputStream out) {
        this.out = out;
    }

    public void write(DeviceImage device) throws IOException {
        String text = device.description().isEmpty() ? "Device" : device.description().replace('\n', ' ');
        byte[] header = (device.address() + " " + text).getBytes(StandardCharsets.UTF_8);
        out.write(header, 0, Math.min(header.length, MAX_HEADER_LINE));
        out.write('\n');
        ConfigSpace cs = device.config();
        for (int offset = 0; offset < cs.length(); offset += ConfigSpace.LINE_SIZE) {
            int p = 0;
            if (offset >= 0x100) {
                line[p++] = DIGITS[offset >>> 8 & 0xF];
            }
            line[p++] = DIGITS[offset >>> 4 & 0xF];
            line[p++] = DIGITS[offset & 0xF];
            line[p++] = ':';
            for (int i = 0; i < ConfigSpace.LINE_SIZE; i++) {
                int b = cs.u8(offset + i);
                line[p++] = ' ';
                line[p++] = DIGITS[b >>> 4];
                line[p++] = DIGITS[b & 0xF];
            }
            line[p++] = '\n';
            out.write(line, 0, p);
        }
        out.write('\n');
    }
}
