package dev.vcap.cli;

import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.Hex;
import java.util.Locale;

/** The line that opens a device in text and HTML output. */
final class DeviceTitle {

    private DeviceTitle() {
    }

    /**
     * Address, description and {@code [vendor:device]} — left out when the description already ends
     * a name with them, as {@code lspci -nn} prints it — then size and source.
     */
    static String of(DeviceImage d) {
        return d.address() + " " + described(d) + " (" + d.config().length() + " bytes, from " + d.origin() + ")";
    }

    /** The description with the device's IDs in brackets, once. */
    static String described(DeviceImage d) {
        String ids = "[" + Hex.padded(d.vendorId(), 4) + ":" + Hex.padded(d.deviceId(), 4) + "]";
        if (d.description().toLowerCase(Locale.ROOT).contains(ids)) {
            return d.description();
        }
        return d.description().isEmpty() ? ids : d.description() + " " + ids;
    }
}
