package dev.vcap.vmm.emit;

import java.util.Locale;
import java.util.Optional;

/** The VMM configurations a plan can be written as. */
public enum VmmTarget {
    /** QEMU 11.0's command line: {@code -device vfio-pci,host=...,x-vpasid-cap-offset=...}. */
    QEMU,
    /**
     * A libvirt domain's {@code <hostdev>} with the same vfio-pci properties passed through
     * {@code <qemu:override>} (libvirt 8.2 and later).
     */
    LIBVIRT;

    /** The name used on the command line and in JSON: {@code qemu}, {@code libvirt}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The target named {@code qemu} or {@code libvirt} (any case), if any. */
    public static Optional<VmmTarget> parse(String name) {
        for (VmmTarget t : values()) {
            if (t.label().equalsIgnoreCase(name.trim())) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
