package dev.vcap.vmm.emit;

import dev.vcap.pci.config.PciAddress;
import java.util.List;

/**
 * Writes realizations as libvirt domain XML: a {@code <hostdev>} per device (it goes in
 * {@code <devices>}), and one {@code <qemu:override>} (it goes in {@code <domain>}) that passes the
 * vfio-pci properties libvirt has no element for to QEMU, keyed by each hostdev's user alias.
 * Elements and attributes are the ones libvirt documents: formatdomain.html (PCI {@code <hostdev>},
 * {@code <alias>}: user aliases start with {@code ua-} and use {@code [a-zA-Z0-9_-]}) and
 * drvqemu.html, "Overriding properties of QEMU devices" (since libvirt 8.2: {@code <qemu:device alias>},
 * {@code <qemu:frontend>}, {@code <qemu:property name type value>} with type {@code string},
 * {@code signed}, {@code unsigned}, {@code bool} or {@code remove}). What QEMU needs and cannot
 * express is written as XML comments beside each device.
 */
public final class LibvirtDomainXml {

    /** The namespace of libvirt's QEMU extensions; declared on {@code <qemu:override>} itself. */
    public static final String QEMU_NS = "http://libvirt.org/schemas/domain/qemu/1.0";

    private LibvirtDomainXml() {
    }

    /** The user alias tying a hostdev to its override: {@code ua-vcap-0000-6a-01-0}. */
    public static String alias(PciAddress a) {
        return "ua-vcap-" + a.toString().replace(':', '-').replace('.', '-');
    }

    /** The {@code <hostdev>} element for one device. */
    public static String hostdev(Realization r) {
        PciAddress a = r.host();
        return "<hostdev mode='subsystem' type='pci' managed='yes'>\n"
                + "  <driver name='vfio'/>\n"
                + "  <source>\n"
                + String.format("    <address domain='0x%04x' bus='0x%02x' slot='0x%02x' function='0x%x'/>%n",
                        a.domain(), a.bus(), a.device(), a.function())
                + "  </source>\n"
                + "  <alias name='" + alias(a) + "'/>\n"
                + "</hostdev>\n";
    }

    /** A complete {@code <qemu:override>} for some devices; empty when none has a property to pass. */
    public static String override(List<Realization> devices) {
        StringBuilder body = new StringBuilder();
        for (Realization r : devices) {
            List<Realization.Property> props = overridden(r);
            if (props.isEmpty()) {
                continue;
            }
            body.append("  <qemu:device alias='").append(alias(r.host())).append("'>\n");
            body.append("    <qemu:frontend>\n");
            for (Realization.Property p : props) {
                body.append("      <qemu:property name='").append(p.name()).append("' type='")
                        .append(p.unsigned() ? "unsigned" : "string").append("' value='").append(p.value())
                        .append("'/>\n");
            }
            body.append("    </qemu:frontend>\n");
            body.append("  </qemu:device>\n");
        }
        return body.isEmpty() ? "" : "<qemu:override xmlns:qemu='" + QEMU_NS + "'>\n" + body + "</qemu:override>\n";
    }

    /**
     * The properties that go through the override: all but {@code host} (the hostdev's
     * {@code <source>}) and {@code iommufd} (an object libvirt's override cannot create).
     */
    public static List<Realization.Property> overridden(Realization r) {
        return r.properties().stream().filter(p -> !p.name().equals("host") && !p.name().equals("iommufd")).toList();
    }

    /** Every device's hostdev with its comments, then one override. */
    public static String render(List<Realization> devices) {
        StringBuilder out = new StringBuilder(comment("vcap plan for libvirt (QEMU 11.0): each <hostdev> goes in"
                + " <devices>, the <qemu:override> in <domain>"));
        for (Realization r : devices) {
            if (!r.emitted()) {
                out.append(comment(r.host() + " (" + r.source() + "): not emitted: " + r.notEmitted()));
                continue;
            }
            out.append(comment(r.host() + " (" + r.source() + ")"));
            out.append(hostdev(r));
            r.requires().forEach(line -> out.append(comment("requires: " + line)));
            r.warnings().forEach(line -> out.append(comment("warning: " + line)));
        }
        return out.append(override(devices)).toString();
    }

    /** An XML comment; "--" may not appear inside one. */
    static String comment(String text) {
        return "<!-- " + text.replace("--", "- -") + " -->\n";
    }
}
