package dev.vcap.cli;

import dev.vcap.host.ConfigRegion;
import dev.vcap.host.vfio.VfioCapLengths;
import dev.vcap.pci.analysis.DeviceAnalysis;
import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.vmm.config.HiddenCapability;
import dev.vcap.vmm.config.HidingPolicy;
import dev.vcap.vmm.config.Origin;
import dev.vcap.vmm.config.VirtualCapability;
import dev.vcap.vmm.config.VirtualConfigSpace;
import dev.vcap.vmm.config.VirtualLayout;
import dev.vcap.vmm.placement.Decision;
import dev.vcap.vmm.placement.DeviceIdentity;
import dev.vcap.vmm.placement.LayoutMismatchException;
import dev.vcap.vmm.placement.PlacementEngine;
import dev.vcap.vmm.placement.PlacementOptions;
import dev.vcap.vmm.placement.PlacementPlan;
import dev.vcap.vmm.placement.Quirk;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * One device's plan: the guest-visible config space built as a VMM builds it — vfio-pci's view of
 * the device (Linux 6.15: PASID and IDs newer than vfio's table hidden), then vcap's default hiding
 * policy, then placement — and everything needed to explain it.
 *
 * @param device     the dump
 * @param physical   the dump's own chain and occupancy
 * @param skipped    why nothing is placed on this device (not PCI Express, no 4 KiB space), or null
 * @param vcs        the guest-visible config space (after placement when planned); null when vfio-pci
 *                   does not bind the function
 * @param hostHidden what vfio-pci hides from user space, with why
 * @param actions    what the hiding policy, a layout and the engine did before placing
 * @param plan       the placement plan, or null when skipped or refused by a layout
 * @param refusal    a refusal of the whole device — vfio-pci does not bind it, or a layout file does
 *                   not describe it — or null
 * @param registers  the synthesized registers' values, with where they came from
 * @param quirks     the quirk entries matching the device
 */
record DevicePlan(DeviceImage device, DeviceAnalysis physical, String skipped, VirtualConfigSpace vcs,
        List<Hidden> hostHidden, List<String> actions, PlacementPlan plan, String refusal,
        PlanSettings.Registers registers, List<Quirk> quirks) {

    /**
     * A capability the guest does not see.
     *
     * @param by     {@code host} (vfio-pci) or {@code vcap} (hiding policy, layout, or replaced by a synthesized one)
     * @param reason why
     */
    record Hidden(CapabilitySpace space, int offset, int id, int version, int length, String by, String reason) {
        String name() {
            return dev.vcap.pci.capability.CapabilityKind.nameOf(space, id);
        }
    }

    /**
     * True when the plan must not be used: a policy or a layout refused, or a placement reports an
     * error (QEMU 11.0's vPASID laid over a capability, or an offset QEMU refuses).
     */
    boolean refused() {
        return refusal != null || plan != null && plan.unusable();
    }

    /**
     * Builds and plans one device. A function vfio-pci does not bind has no guest view: its plan is
     * refused, with {@code vcs} null.
     */
    static DevicePlan of(DeviceImage device, PlanSettings settings) {
        return of(device, settings, UnaryOperator.identity());
    }

    /**
     * Builds and plans one device whose config region (vfio-pci's view of the dump) is seen through
     * {@code backing}, e.g. to observe what reaches it. With {@code --vf} the device planned is the
     * function's first VF ({@link DerivedVf}), the function itself its PF.
     */
    static DevicePlan of(DeviceImage device, PlanSettings settings, UnaryOperator<ConfigRegion> backing) {
        String notAssignable = DeviceChecks.notAssignable(device);
        if (notAssignable == null && settings.vf()) {
            Optional<DerivedVf> vf = DerivedVf.of(device);
            if (vf.isPresent()) {
                return of(vf.get().image(), settings.forPf(device), () -> backing.apply(vf.get().region()));
            }
            notAssignable = "--vf: no VF to derive: the function has no SR-IOV capability, or its TotalVFs is 0";
        }
        if (notAssignable != null) {
            return new DevicePlan(device, DeviceAnalysis.of(device), null, null, List.of(), List.of(), null,
                    notAssignable, settings.registers(device.config()), List.of());
        }
        return of(device, settings, () -> backing.apply(LiveViews.of(device)));
    }

    /** Plans an assignable function whose config region (vfio-pci's view) {@code regions} makes afresh. */
    private static DevicePlan of(DeviceImage device, PlanSettings settings, Supplier<ConfigRegion> regions) {
        DeviceAnalysis physical = DeviceAnalysis.of(device);
        ConfigSpace cs = device.config();
        ConfigRegion view = regions.get();
        List<Hidden> hostHidden = hostHidden(physical.chain(), CapabilityChain.walk(view.snapshot()));
        String skipped = skipReason(cs, physical.chain());
        VirtualConfigSpace vcs = VirtualConfigSpace.over(view);
        List<String> actions = new ArrayList<>(HidingPolicy.defaults().apply(vcs));
        if (skipped == null && !vcs.hasExtendedList()) {
            skipped = "vfio-pci's view has no extended capability list";
        }
        PlanSettings.Registers registers = settings.registers(cs, LiveViews.hwInfo(device));
        List<Quirk> quirks = settings.options().quirks().matching(DeviceIdentity.of(vcs));
        if (skipped != null || settings.requested().isEmpty()) {
            return new DevicePlan(device, physical, skipped, vcs, hostHidden, actions, null, null, registers, quirks);
        }
        try {
            PlacementPlan plan = PlacementEngine.place(vcs, registers.definitions(), settings.options());
            if (!registers.withheld().isEmpty()) {
                List<Decision> decisions = new ArrayList<>();
                registers.withheld().forEach((c, why) -> decisions.add(PlacementEngine.withheld(c,
                        settings.options().compat() == PlacementOptions.Compat.QEMU ? "qemu-11.0" : "not-exposed", why)));
                decisions.addAll(plan.decisions());
                plan = new PlacementPlan(decisions, plan.actions(), plan.vcs());
            }
            actions.addAll(plan.actions());
            return new DevicePlan(device, physical, null, vcs, hostHidden, actions, plan, null, registers, quirks);
        } catch (LayoutMismatchException e) {
            VirtualConfigSpace fresh = VirtualConfigSpace.over(regions.get());
            HidingPolicy.defaults().apply(fresh);
            return new DevicePlan(device, physical, null, fresh, hostHidden, actions, null, e.getMessage(), registers,
                    quirks);
        }
    }

    /**
     * This plan for another device of the same bytes ({@link DeviceClasses}): everything but the
     * device is computed from the bytes alone, so it is shared.
     */
    DevicePlan forDevice(DeviceImage other) {
        return other == device ? this : new DevicePlan(other, new DeviceAnalysis(other, physical.chain(),
                physical.occupancy()), skipped, vcs, hostHidden, actions, plan, refusal, registers, quirks);
    }

    /** Why placement does not apply to a device, or null when it does. */
    static String skipReason(ConfigSpace cs, CapabilityChain chain) {
        if (!chain.isPciExpress()) {
            return "not a PCI Express function: it has no extended capability list to place in";
        }
        if (cs.length() != ConfigSpace.EXTENDED_SIZE) {
            return "only " + cs.length() + " bytes were captured (" + (cs.length() == ConfigSpace.CONVENTIONAL_SIZE
                    ? "lspci -xxx" : "a partial dump") + "): extended config space 0x100-0xfff is not in the dump";
        }
        return null;
    }

    /** The guest's config space as the guest reads it. */
    ConfigSpace guestImage() {
        return vcs.guestImage();
    }

    /** The guest's chain walked as the guest walks it, for the shared capability JSON shape. */
    CapabilityChain guestChain() {
        return CapabilityChain.walk(vcs.guestImage());
    }

    /** Where a guest-visible capability comes from; the null stub at 0x100 is the VMM's (virtual). */
    Origin originOf(Capability c) {
        VirtualLayout layout = vcs.layout();
        Optional<VirtualCapability> v = layout.list(c.space()).stream().filter(x -> x.offset() == c.offset()).findFirst();
        return v.map(VirtualCapability::origin).orElse(Origin.VIRTUAL);
    }

    /** The capabilities the guest sees; none without a guest view. */
    List<Capability> guestCapabilities() {
        return vcs == null ? List.of() : guestChain().all().toList();
    }

    /** Everything the guest does not see: the host's hiding first, then vcap's. */
    List<Hidden> hidden() {
        List<Hidden> out = new ArrayList<>(hostHidden);
        if (vcs == null) {
            return out;
        }
        for (HiddenCapability h : vcs.layout().hidden()) {
            out.add(new Hidden(h.space(), h.offset(), h.id(), h.version(), h.length(), "vcap",
                    h.reason() + (h.dropped() ? " (its bytes read zero and are free for reuse)" : "")));
        }
        return out;
    }

    private static List<Hidden> hostHidden(CapabilityChain physical, CapabilityChain view) {
        List<Hidden> out = new ArrayList<>();
        for (Capability c : physical.all().toList()) {
            boolean visible = view.list(c.space()).stream().anyMatch(v -> v.offset() == c.offset() && v.id() == c.id());
            if (!visible) {
                out.add(new Hidden(c.space(), c.offset(), c.id(), c.version(), c.length(), "host", hostReason(c)));
            }
        }
        return out;
    }

    private static String hostReason(Capability c) {
        if (c.space() == CapabilitySpace.EXTENDED) {
            if (c.is(ExtendedCapability.PASID)) {
                return "vfio-pci (Linux 6.15) hides PASID: pci_ext_cap_length[PASID] = 0; the VMM synthesizes its own";
            }
            if (c.id() > VfioCapLengths.EXT_CAP_ID_MAX) {
                return String.format("vfio-pci hides ID 0x%04x: past its table (PCI_EXT_CAP_ID_MAX 0x%02x)", c.id(),
                        VfioCapLengths.EXT_CAP_ID_MAX);
            }
            if (VfioCapLengths.extTableLength(c.id()) == 0) {
                return String.format("vfio-pci hides ID 0x%04x: its length in pci_ext_cap_length[] is 0", c.id());
            }
        } else {
            if (c.id() == VfioCapLengths.CAP_ID_BASIC) {
                return "vfio-pci hides ID 0x00: vfio_cap_init sizes IDs 1..PCI_CAP_ID_MAX only (0 is its header's"
                        + " pseudo-ID)";
            }
            if (c.id() > VfioCapLengths.CAP_ID_MAX) {
                return String.format("vfio-pci hides ID 0x%02x: past its table (PCI_CAP_ID_MAX 0x%02x)", c.id(),
                        VfioCapLengths.CAP_ID_MAX);
            }
            if (VfioCapLengths.tableLength(c.id()) == 0) {
                return String.format("vfio-pci hides ID 0x%02x: its length in pci_cap_length[] is 0", c.id());
            }
        }
        return "not in vfio-pci's view of the chain";
    }
}
