package dev.vcap.vmm.emit;

import dev.vcap.pci.config.PciAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * What one device's plan becomes in QEMU 11.0's {@code vfio-pci}: the properties that express it,
 * what must hold on the host and in the VM for them to take effect, and every part of the plan QEMU
 * cannot express. Built by {@link Realizer}; written by {@link QemuCommandLine} and
 * {@link LibvirtDomainXml}.
 *
 * @param host        the function to assign ({@code host=})
 * @param source      where the device was read from, for the reader ({@code FILE:LINE})
 * @param pasidOffset where the plan put PASID ({@code x-vpasid-cap-offset}), empty when it placed none
 * @param requires    what QEMU needs for the properties to take effect
 * @param warnings    what the plan does and QEMU will not, one line each
 * @param notEmitted  why no configuration is written for this device (nothing placed, plan refused),
 *                    or null when one is
 */
public record Realization(PciAddress host, String source, OptionalInt pasidOffset, List<String> requires,
        List<String> warnings, String notEmitted) {

    /** The id {@link QemuCommandLine} gives the iommufd object every device uses. */
    public static final String IOMMUFD_ID = "iommufd0";

    /**
     * One qdev property of {@code -device vfio-pci}.
     *
     * @param unsigned the value is an unsigned integer (libvirt's {@code type='unsigned'}), else a string
     */
    public record Property(String name, String value, boolean unsigned) {
    }

    public Realization {
        requires = List.copyOf(requires);
        warnings = List.copyOf(warnings);
    }

    /** True when a configuration is written for this device. */
    public boolean emitted() {
        return notEmitted == null;
    }

    /**
     * The vfio-pci properties in command-line order: {@code host}, {@code iommufd}, then
     * {@code x-vpasid-cap-offset} when the plan placed PASID. Empty when nothing is emitted.
     */
    public List<Property> properties() {
        List<Property> out = new ArrayList<>();
        if (!emitted()) {
            return out;
        }
        out.add(new Property("host", host.toString(), false));
        out.add(new Property("iommufd", IOMMUFD_ID, false));
        pasidOffset.ifPresent(off -> out.add(new Property(Realizer.VPASID_PROPERTY, Integer.toString(off), true)));
        return out;
    }
}
