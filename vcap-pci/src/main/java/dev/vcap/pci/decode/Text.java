package dev.vcap.pci.decode;

/** Shared encodings of PCI fields into text, used by several views. */
final class Text {

    private Text() {
    }

    /**
     * A link speed code (Link Capabilities, Link Status, Target Link Speed): the data rate of bit
     * {@code code - 1} of the Supported Link Speeds Vector, as lspci prints it.
     */
    static String linkSpeed(long code) {
        return switch ((int) code) {
            case 1 -> "2.5GT/s";
            case 2 -> "5GT/s";
            case 3 -> "8GT/s";
            case 4 -> "16GT/s";
            case 5 -> "32GT/s";
            case 6 -> "64GT/s";
            default -> "unknown (" + code + ")";
        };
    }

    /** The speeds named by a Supported Link Speeds Vector (bit 0 = 2.5 GT/s). */
    static String speedVector(long vector) {
        StringBuilder sb = new StringBuilder();
        for (int bit = 0; bit < 7; bit++) {
            if ((vector & 1L << bit) != 0) {
                sb.append(sb.isEmpty() ? "" : ", ").append(linkSpeed(bit + 1));
            }
        }
        return sb.isEmpty() ? "none" : sb.toString();
    }

    /** A size in bytes with a binary unit: 4KB, 16MB, 8GB. */
    static String size(long bytes) {
        String[] units = {"B", "KB", "MB", "GB", "TB", "PB", "EB"};
        int unit = 0;
        while (unit < units.length - 1 && bytes >= 1024 && bytes % 1024 == 0) {
            bytes /= 1024;
            unit++;
        }
        return bytes + units[unit];
    }

    /** A latency encoded as value x 32^scale ns (LTR, L1 PM Substates thresholds); -1 for scales 6 and 7. */
    static long latencyNs(long value, long scale) {
        return scale <= 5 ? value << 5 * scale : -1;
    }

    static String latency(long value, long scale) {
        long ns = latencyNs(value, scale);
        return ns < 0 ? "reserved scale " + scale : ns + "ns";
    }
}
