package dev.vcap.pci.config;

import java.util.HexFormat;
import java.util.Locale;

/**
 * A PCI function address: domain (segment), bus, device, function.
 *
 * <p>Printed as {@code dddd:bb:dd.f} (five domain digits when the domain needs them, as lspci does);
 * parsed from that form or from the short {@code bb:dd.f}, which means domain 0.
 *
 * @param domain   0..0xFFFFF
 * @param bus      0..0xFF
 * @param device   0..0x1F
 * @param function 0..7
 */
public record PciAddress(int domain, int bus, int device, int function) implements Comparable<PciAddress> {

    public static final int MAX_DOMAIN = 0xFFFFF;

    public PciAddress {
        if (domain < 0 || domain > MAX_DOMAIN || bus < 0 || bus > 0xFF || device < 0 || device > 0x1F
                || function < 0 || function > 7) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "PCI address out of range: domain %x bus %x device %x function %x", domain, bus, device, function));
        }
    }

    /**
     * Parses {@code bb:dd.f}, {@code dddd:bb:dd.f} or {@code ddddd:bb:dd.f} (hex, any case).
     *
     * @throws IllegalArgumentException naming what was expected
     */
    public static PciAddress parse(CharSequence text) {
        PciAddress a = tryParse(text, 0, text.length());
        if (a == null) {
            throw new IllegalArgumentException("expected a PCI address bb:dd.f or dddd:bb:dd.f, got '" + text + "'");
        }
        return a;
    }

    /**
     * Parses an address occupying exactly {@code text[from, to)}; returns null when it is not one.
     * Allocation-free: the dump reader calls it once per device.
     */
    public static PciAddress tryParse(CharSequence text, int from, int to) {
        int len = to - from;
        int domain = 0;
        int p = from;
        if (len == 7) {
            // bb:dd.f
        } else if (len == 12 || len == 13) {
            int digits = len - 8;
            domain = hex(text, p, digits);
            if (domain < 0 || text.charAt(p + digits) != ':') {
                return null;
            }
            p += digits + 1;
        } else {
            return null;
        }
        int bus = hex(text, p, 2);
        int dev = hex(text, p + 3, 2);
        int fn = hex(text, p + 6, 1);
        if (bus < 0 || dev < 0 || fn < 0 || text.charAt(p + 2) != ':' || text.charAt(p + 5) != '.' || dev > 0x1F || fn > 7) {
            return null;
        }
        return new PciAddress(domain, bus, dev, fn);
    }

    private static int hex(CharSequence s, int at, int digits) {
        int v = 0;
        for (int i = 0; i < digits; i++) {
            int d = Character.digit(s.charAt(at + i), 16);
            if (d < 0) {
                return -1;
            }
            v = v << 4 | d;
        }
        return v;
    }

    /** The address as one int-sized key: domain, bus, device, function packed. */
    public long packed() {
        return (long) domain << 16 | bus << 8 | device << 3 | function;
    }

    /** {@code bb:dd.f} when the domain is 0, else the full form: what lspci prints without -D. */
    public String shortForm() {
        return domain == 0 ? busDeviceFunction(new StringBuilder(7)).toString() : toString();
    }

    @Override
    public int compareTo(PciAddress o) {
        return Long.compare(packed(), o.packed());
    }

    @Override
    public String toString() {
        // by hand rather than String.format: every device of a large input is named by it
        StringBuilder s = new StringBuilder(12);
        s.append(domain >>> 16 == 0 ? HEX.toHexDigits((short) domain) : Integer.toHexString(domain)).append(':');
        return busDeviceFunction(s).toString();
    }

    private static final HexFormat HEX = HexFormat.of();

    /** {@code %02x:%02x.%x} of bus, device and function. */
    private StringBuilder busDeviceFunction(StringBuilder s) {
        return s.append(HEX.toHexDigits((byte) bus)).append(':').append(HEX.toHexDigits((byte) device)).append('.')
                .append(Character.forDigit(function, 16));
    }
}
