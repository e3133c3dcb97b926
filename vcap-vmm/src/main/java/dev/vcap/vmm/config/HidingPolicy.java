package dev.vcap.vmm.config;

import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.capability.ExtendedCapability;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which of the capabilities the host shows the guest should not see, applied once when the
 * virtual config space is built. What the host already hid (vfio hides PASID and every ID newer
 * than its table) is not in the host's view at all, so it stays hidden.
 *
 * <p>The default follows QEMU: SR-IOV and ARI are hidden (a guest cannot create VFs of an assigned
 * function, and ARI describes function numbering the guest's topology does not have), and
 * Resizable BAR is virtualized to report only the current size of each BAR, so the guest cannot
 * ask for a resize the host would have to back.
 *
 * @param hideExtended extended capability IDs to hide
 * @param hideStandard standard capability IDs to hide
 * @param virtualizeResizableBar serve Resizable BAR reporting only current sizes
 */
public record HidingPolicy(Set<Integer> hideExtended, Set<Integer> hideStandard, boolean virtualizeResizableBar) {

    public HidingPolicy {
        hideExtended = Set.copyOf(hideExtended);
        hideStandard = Set.copyOf(hideStandard);
    }

    public static HidingPolicy defaults() {
        return new HidingPolicy(Set.of(ExtendedCapability.SRIOV.id(), ExtendedCapability.ARI.id()), Set.of(), true);
    }

    /** Hides nothing and serves everything at its physical offset. */
    public static HidingPolicy none() {
        return new HidingPolicy(Set.of(), Set.of(), false);
    }

    /** Applies the policy; returns what it hid and virtualized, for the decision record. */
    public List<String> apply(VirtualConfigSpace vcs) {
        ChainEditor editor = vcs.editor();
        List<String> done = new ArrayList<>();
        VirtualLayout layout = vcs.layout();
        for (VirtualCapability c : layout.all().toList()) {
            Set<Integer> ids = c.space() == CapabilitySpace.STANDARD ? hideStandard : hideExtended;
            if (ids.contains(c.id())) {
                editor.hide(c, "hidden by policy, as QEMU does");
                done.add("hid " + c);
            } else if (virtualizeResizableBar && c.is(ExtendedCapability.RESIZABLE_BAR)) {
                virtualizeOne(vcs, c);
                done.add("virtualized " + c + " to report only current BAR sizes");
            }
        }
        return done;
    }

    /** Serves one physical Resizable BAR capability reporting only its current sizes. */
    public VirtualCapability virtualizeOne(VirtualConfigSpace vcs, VirtualCapability resizableBar) {
        return vcs.editor().virtualize(resizableBar, ResizableBar.currentSizesOnly(vcs, resizableBar));
    }
}
