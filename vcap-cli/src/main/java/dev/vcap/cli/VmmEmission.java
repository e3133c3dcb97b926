package dev.vcap.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.vcap.host.sim.SimHost;
import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.vmm.emit.LibvirtDomainXml;
import dev.vcap.vmm.emit.QemuCommandLine;
import dev.vcap.vmm.emit.Realization;
import dev.vcap.vmm.emit.Realizer;
import dev.vcap.vmm.emit.VmmTarget;
import dev.vcap.vmm.synth.PasidSupport;
import dev.vcap.vmm.synth.Synthesizers;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code vcap plan --emit-vmm}: each device's plan as the VMM configuration that realizes it
 * (docs/VMM-CONFIG.md), as text or as the {@code vmm} key of {@code plan --json}.
 */
final class VmmEmission {

    private VmmEmission() {
    }

    /** What QEMU makes of one device's plan. */
    static Realization realize(DevicePlan p, PlanSettings settings, VmmTarget target) {
        String notPlaced = p.skipped() != null ? p.skipped() : p.refusal();
        return Realizer.realize(new Realizer.Input(p.device().address(), p.device().origin(),
                SimHost.vfioView(p.device()), p.vcs(), p.plan(), notPlaced, hostPasid(p, settings)), target);
    }

    /**
     * The PASID support Linux reports for the device (IOMMU_GET_HW_INFO): its own PASID
     * capability's, or for a VF planned with {@code --pf} the PF's; none without either.
     */
    static PasidSupport hostPasid(DevicePlan p, PlanSettings settings) {
        return physicalPasid(p.device().config(), p.physical().chain())
                .or(() -> settings.pf() == null ? Optional.empty()
                        : physicalPasid(settings.pf().config(), CapabilityChain.walk(settings.pf().config())))
                .orElse(PasidSupport.NONE);
    }

    private static Optional<PasidSupport> physicalPasid(ConfigSpace cs, CapabilityChain chain) {
        return chain.find(ExtendedCapability.PASID).map(Capability::offset)
                .filter(at -> cs.captured(at, Synthesizers.PASID_CAPABILITY + 2))
                .map(at -> PasidSupport.ofCapability(cs.u16(at + Synthesizers.PASID_CAPABILITY)));
    }

    /** Every device's configuration, written when the last device is in (libvirt's override closes the list). */
    static final class TextReport {
        private final PrintWriter out;
        private final VmmTarget target;
        private final List<Realization> devices = new ArrayList<>();

        TextReport(PrintWriter out, VmmTarget target) {
            this.out = out;
            this.target = target;
        }

        void add(DevicePlan p, PlanSettings settings) {
            devices.add(realize(p, settings, target));
        }

        void close() {
            out.print(switch (target) {
                case QEMU -> QemuCommandLine.render(devices);
                case LIBVIRT -> LibvirtDomainXml.render(devices);
            });
            out.flush();
        }
    }

    /** The {@code vmm} object of one device in {@code plan --json} (docs/JSON.md). */
    static void json(JsonGenerator g, VmmTarget target, Realization r) throws IOException {
        g.writeObjectFieldStart("vmm");
        g.writeStringField("target", target.label());
        PlanJson.nullableString(g, "notEmitted", r.notEmitted());
        switch (target) {
            case QEMU -> {
                PlanJson.nullableString(g, "config", r.emitted() ? QemuCommandLine.device(r) : null);
                g.writeArrayFieldStart("objects");
                if (r.emitted()) {
                    g.writeString(QemuCommandLine.iommufdObject());
                }
                g.writeEndArray();
            }
            case LIBVIRT -> {
                PlanJson.nullableString(g, "config", r.emitted() ? LibvirtDomainXml.hostdev(r) : null);
                String override = r.emitted() ? LibvirtDomainXml.override(List.of(r)) : "";
                PlanJson.nullableString(g, "override", override.isEmpty() ? null : override);
            }
        }
        g.writeArrayFieldStart("properties");
        for (Realization.Property p : target == VmmTarget.QEMU ? r.properties() : LibvirtDomainXml.overridden(r)) {
            g.writeStartObject();
            g.writeStringField("name", p.name());
            if (p.unsigned()) {
                g.writeNumberField("value", Long.parseLong(p.value()));
            } else {
                g.writeStringField("value", p.value());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        strings(g, "requires", r.requires());
        strings(g, "warnings", r.warnings());
        g.writeEndObject();
    }

    private static void strings(JsonGenerator g, String field, List<String> values) throws IOException {
        g.writeArrayFieldStart(field);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    /** {@code qemu} or {@code libvirt}. */
    static VmmTarget target(String value) {
        return VmmTarget.parse(value).orElseThrow(() -> new IllegalArgumentException("'" + value
                + "': expected qemu or libvirt"));
    }
}
