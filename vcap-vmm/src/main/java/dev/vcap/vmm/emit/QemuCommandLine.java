package dev.vcap.vmm.emit;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Writes realizations as QEMU 11.0 command-line arguments: one {@code -object iommufd} shared by
 * every device, then a {@code -device vfio-pci,...} per device. What QEMU needs and what it cannot
 * express follow each device as {@code #} comment lines.
 */
public final class QemuCommandLine {

    private QemuCommandLine() {
    }

    /** The iommufd object every device's {@code iommufd} property names. */
    public static String iommufdObject() {
        return "-object iommufd,id=" + Realization.IOMMUFD_ID;
    }

    /** {@code -device vfio-pci,host=...,iommufd=...,x-vpasid-cap-offset=0x...}; the offset in hex, as QEMU prints it. */
    public static String device(Realization r) {
        return "-device vfio-pci," + r.properties().stream()
                .map(p -> p.name() + "=" + (p.unsigned() ? "0x" + Integer.toHexString(Integer.parseInt(p.value()))
                        : p.value()))
                .collect(Collectors.joining(","));
    }

    /** Every device, with the iommufd object first when any device is emitted. */
    public static String render(List<Realization> devices) {
        StringBuilder out = new StringBuilder("# vcap plan for QEMU 11.0\n");
        if (devices.stream().anyMatch(Realization::emitted)) {
            out.append(iommufdObject()).append('\n');
        }
        for (Realization r : devices) {
            out.append("# ").append(r.host()).append(" (").append(r.source()).append(')');
            if (!r.emitted()) {
                out.append(": not emitted: ").append(r.notEmitted()).append('\n');
                continue;
            }
            out.append('\n').append(device(r)).append('\n');
            r.requires().forEach(line -> out.append("#   requires: ").append(line).append('\n'));
            r.warnings().forEach(line -> out.append("#   warning: ").append(line).append('\n'));
        }
        return out.toString();
    }
}
