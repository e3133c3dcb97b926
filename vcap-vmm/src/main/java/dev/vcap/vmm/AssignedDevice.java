package dev.vcap.vmm;

import dev.vcap.host.Host;
import dev.vcap.host.Iommufd;
import dev.vcap.host.VfioDevice;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.vmm.config.CapabilityDefinition;
import dev.vcap.vmm.config.HidingPolicy;
import dev.vcap.vmm.config.VirtualConfigSpace;
import dev.vcap.vmm.migration.Admission;
import dev.vcap.vmm.migration.GuestState;
import dev.vcap.vmm.migration.LayoutContract;
import dev.vcap.vmm.placement.PlacementEngine;
import dev.vcap.vmm.placement.PlacementOptions;
import dev.vcap.vmm.placement.PlacementPlan;
import dev.vcap.vmm.placement.SyntheticCapability;
import dev.vcap.vmm.synth.PasidSupport;
import dev.vcap.vmm.synth.Synthesizers;
import dev.vcap.vmm.viommu.PasidBinder;
import dev.vcap.vmm.viommu.VIommu;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One assigned device as the VMM holds it: the vfio device, the guest's virtual config space over
 * its config region, and the PASID binder between the guest's vIOMMU and iommufd. Built either
 * fresh on a source (hiding policy, then placement of what both the host and the vIOMMU support) or
 * under a migration contract on a destination (admission, then the guest's state).
 */
public final class AssignedDevice implements AutoCloseable {

    /**
     * What to synthesize on a fresh attach.
     *
     * @param pri       synthesize PRI when the device has PRI
     * @param ats       synthesize ATS when the device has ATS and the vIOMMU advertises it
     * @param placement the placement options
     * @param hiding    the hiding policy
     */
    public record Options(boolean pri, boolean ats, PlacementOptions placement, HidingPolicy hiding) {
    }

    private final VfioDevice device;
    private final VirtualConfigSpace vcs;
    private final PasidBinder binder;
    private final PlacementPlan plan;

    private AssignedDevice(VfioDevice device, VirtualConfigSpace vcs, PasidBinder binder, PlacementPlan plan) {
        this.device = device;
        this.vcs = vcs;
        this.binder = binder;
        this.plan = plan;
    }

    /**
     * Attaches a device fresh: the guest sees PASID when both the host (GET_HW_INFO) and the
     * vIOMMU support it, at the offset the placement chain picks; PRI and ATS as {@code options} ask.
     */
    public static AssignedDevice attach(Host host, PciAddress address, Iommufd iommufd, VIommu viommu, Options options,
            Consumer<String> log) {
        VfioDevice device = host.openDevice(address);
        // a vfio device file serves nothing, the config region included, before it is bound (EINVAL)
        int devId = device.bind(iommufd);
        VirtualConfigSpace vcs = VirtualConfigSpace.over(device.config());
        options.hiding().apply(vcs).forEach(a -> log.accept(a));
        PasidBinder binder = new PasidBinder(device, devId, iommufd, vcs, viommu, log);
        ConfigSpace physical = vcs.guestImage();
        Map<SyntheticCapability, CapabilityDefinition> requests = new LinkedHashMap<>();
        // QEMU 11.0 gives the guest the host's PASID values unchanged (hiod_iommufd_get_pasid_info) when the
        // vIOMMU supports PASID at all; vcap offers what both sides support
        PasidSupport offered = options.placement().compat() == PlacementOptions.Compat.QEMU
                ? viommu.pasid().supported() ? binder.hostPasid() : PasidSupport.NONE : binder.offered();
        if (offered.supported()) {
            requests.put(SyntheticCapability.PASID, Synthesizers.pasid(offered));
        } else {
            log.accept("no vPASID: " + binder.whyNoPasid());
        }
        if (options.pri() && binder.hostPasid().supported()) {
            requests.put(SyntheticCapability.PRI, Synthesizers.pri(0x200, offered.supported()));
        }
        if (options.ats() && viommu.advertisesAts() && has(physical, ExtendedCapability.ATS)) {
            requests.put(SyntheticCapability.ATS, Synthesizers.ats(0, true, false));
        }
        PlacementPlan plan = PlacementEngine.place(vcs, requests, options.placement());
        plan.actions().forEach(log);
        plan.decisions().forEach(d -> log.accept(d.placed()
                ? String.format("placed %s at 0x%03x by %s: %s", d.capability(), d.offset().getAsInt(), d.policy(),
                        d.reason())
                : d.capability() + " not exposed: " + d.reason()));
        return new AssignedDevice(device, vcs, binder, plan);
    }

    /**
     * Attaches a migration destination under its source's contract: admission (nothing is written
     * to the device before it passes), then the guest's writable state, then the vIOMMU state
     * re-read from it. On refusal the device is released and the refusal returned.
     */
    public static Result attachUnder(LayoutContract contract, GuestState state, Host host, PciAddress address,
            Iommufd iommufd, VIommu viommu, Admission.Options options, Consumer<String> log) {
        VfioDevice device = host.openDevice(address);
        int devId = device.bind(iommufd);
        Admission.Result admission = Admission.admit(contract, device.config(), options);
        if (admission instanceof Admission.Result.Refused refused) {
            device.close();
            log.accept("admission refused (" + refused.rule() + "): " + refused.reason());
            return new Result(Optional.empty(), refused);
        }
        Admission.Result.Admitted admitted = (Admission.Result.Admitted) admission;
        admitted.actions().forEach(log);
        VirtualConfigSpace vcs = admitted.vcs();
        state.restore(vcs);
        PasidBinder binder = new PasidBinder(device, devId, iommufd, vcs, viommu, log);
        binder.resync();
        return new Result(Optional.of(new AssignedDevice(device, vcs, binder, null)), admission);
    }

    /** A destination attach: the device when admitted, and the admission's verdict. */
    public record Result(Optional<AssignedDevice> device, Admission.Result admission) {
    }

    private static boolean has(ConfigSpace cs, ExtendedCapability kind) {
        return dev.vcap.pci.capability.CapabilityChain.walk(cs).has(kind);
    }

    public VfioDevice device() {
        return device;
    }

    public VirtualConfigSpace vcs() {
        return vcs;
    }

    public PasidBinder binder() {
        return binder;
    }

    /** The placement plan of a fresh attach; empty on a migration destination. */
    public Optional<PlacementPlan> plan() {
        return Optional.ofNullable(plan);
    }

    /** VM shutdown for this device: every PASID and the RID detached, objects destroyed, device unbound. */
    @Override
    public void close() {
        binder.close();
    }
}
