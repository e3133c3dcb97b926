package dev.vcap.cli;

import dev.vcap.host.vfio.VfioPciProbe;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.Header;
import dev.vcap.pci.dump.DumpFormatException;
import java.io.PrintWriter;
import java.util.List;

/**
 * What the commands that build a guest's config space ({@code plan}, {@code report},
 * {@code survey}, {@code check-migration}, {@code pool}) ask of a dump before using it. {@code
 * inspect} decodes whatever it is given and reports these as findings instead.
 */
final class DeviceChecks {

    private DeviceChecks() {
    }

    /**
     * Why a dump holds too little to stand for a device — bad input, exit 3 — or null: a function
     * that did not respond, or a capture of the 64-byte header alone (what a user other than root
     * reads from sysfs, and so what {@code lspci -xxxx} prints for one).
     */
    static DumpFormatException incomplete(DeviceImage d) {
        ConfigSpace cs = d.config();
        if (Header.notResponding(cs)) {
            return error(d, "function not responding: its Vendor ID and Header Type read all ones, what a read"
                    + " returns when no function answers (powered down, in D3cold, link down); capture it while the"
                    + " function is up");
        }
        if (cs.length() == ConfigSpace.HEADER_SIZE) {
            return error(d, "only 64 bytes were captured; read config space as root (a user other than root"
                    + " reads the 64-byte header only, and lspci -x prints no more); expected lspci -xxxx output"
                    + " or a 4096-byte config image");
        }
        return null;
    }

    /**
     * True when the dump can stand for a device; else it is added to {@code errors} and, with an
     * {@code err}, named there at once — for the commands that go on with the other devices.
     */
    static boolean usable(DeviceImage d, PrintWriter err, List<DumpFormatException> errors) {
        DumpFormatException incomplete = incomplete(d);
        if (incomplete == null) {
            return true;
        }
        if (err != null) {
            err.println("vcap: " + incomplete.getMessage());
        }
        errors.add(incomplete);
        return false;
    }

    /** Why vfio-pci would not bind the function, so no VM can be given it (a refusal, exit 4), or null. */
    static String notAssignable(DeviceImage d) {
        return VfioPciProbe.refusal(d.config()).map(r -> "not assignable: " + r).orElse(null);
    }

    /** A dump error about one device: its source and line from the device's origin ({@code FILE:LINE}). */
    private static DumpFormatException error(DeviceImage d, String message) {
        String origin = d.origin();
        int colon = origin.lastIndexOf(':');
        String line = colon < 0 ? "" : origin.substring(colon + 1);
        String what = "device " + d.address() + ": " + message;
        if (!line.isEmpty() && line.chars().allMatch(Character::isDigit)) {
            return new DumpFormatException(origin.substring(0, colon), Long.parseLong(line), what);
        }
        return new DumpFormatException(origin, 0, what);
    }
}
