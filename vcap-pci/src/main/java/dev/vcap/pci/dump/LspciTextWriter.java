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
 * prints them.
 */
public final class LspciTextWriter {

    private static final byte[] DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final OutputStream out;
    private final byte[] line = new byte[4 + 2 + 16 * 3];

    /** @param out where the text goes; not closed by this writer */
    public LspciTextWriter(OutputStream out) {
        this.out = out;
    }

    public void write(DeviceImage device) throws IOException {
        String text = device.description().isEmpty() ? "Device" : device.description().replace('\n', ' ');
        out.write((device.address() + " " + text + "\n").getBytes(StandardCharsets.UTF_8));
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
