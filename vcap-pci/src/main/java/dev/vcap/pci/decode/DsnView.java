package dev.vcap.pci.decode;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import java.util.List;

/**
 * Device Serial Number extended capability, ID 0x03, 12 bytes (PCIe base spec 7.9.3): a 64-bit
 * IEEE EUI-64, lower dword first.
 *
 * <pre>
 *  31                                                              0
 * +-----------------------------------------------------------------+
 * |        Extended Capability Header (ID 0x0003)                   | +0x00
 * |        Serial Number Register (Lower DW)                        | +0x04
 * |        Serial Number Register (Upper DW)                        | +0x08
 * +-----------------------------------------------------------------+
 * </pre>
 *
 * @param cs     the bytes
 * @param offset where the capability header is
 */
public record DsnView(ConfigSpace cs, int offset) implements CapabilityView {

    /** The serial number, 64 bits little-endian (lower dword at +0x04, upper at +0x08). */
    public static final int SERIAL_NUMBER = 0x04;

    /** Size of the structure. */
    public static final int LENGTH = SERIAL_NUMBER + 8;

    @Override
    public CapabilityKind kind() {
        return ExtendedCapability.DSN;
    }

    public long serialNumber() {
        return read64(SERIAL_NUMBER);
    }

    /** The serial number as lspci prints it: eight bytes, most significant first, dash-separated. */
    public String serialNumberText() {
        return text(serialNumber());
    }

    static String text(long serial) {
        StringBuilder sb = new StringBuilder(23);
        for (int shift = 56; shift >= 0; shift -= 8) {
            sb.append(String.format("%02x", serial >>> shift & 0xFF)).append(shift > 0 ? "-" : "");
        }
        return sb.toString();
    }

    @Override
    public List<RegisterField> fields() {
        FieldList f = new FieldList(this).extendedHeader();
        f.register("Serial Number", SERIAL_NUMBER, 8).add("Serial Number", -1L, DsnView::text);
        return f.list();
    }
}
