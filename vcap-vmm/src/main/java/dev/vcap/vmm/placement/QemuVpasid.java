package dev.vcap.vmm.placement;

import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.vmm.config.CapabilityDefinition;
import dev.vcap.vmm.config.VirtualCapability;
import dev.vcap.vmm.config.VirtualConfigSpace;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What QEMU 11.0 gives the guest of a vfio-pci device for PASID, faults included
 * (docs/PLACEMENT.md §5). It follows, in QEMU's order:
 * <ol>
 * <li>hw/vfio/pci.c {@code vfio_add_ext_cap()}: when the dword at 0x100 of vfio's view reads 0 (no
 * extended capability vfio shows) it returns before anything else, so there is no vPASID; a PASID
 * capability vfio shows is passed through and none is synthesized ({@code pasid_cap_added});</li>
 * <li>the vPASID synthesis it then calls ({@code vfio_pci_synthesize_pasid_cap()} in the series
 * merged for 11.0): the offset is {@code x-vpasid-cap-offset}, where 0 (the property's default)
 * means 0xff8; {@code pcie_insert_capability()} (hw/pci/pcie.c) inserts the 8 bytes there; when
 * it returns false QEMU reports "vfio: Placing PASID capability at offset 0x%x failed" and the VM
 * starts without PASID; when it inserts, {@code pcie_pasid_common_init()} writes the registers
 * over whatever the 8 bytes covered, and all 8 bytes are emulated.</li>
 * </ol>
 * The registers carry the host's PASID width, Exec and Priv unchanged
 * ({@code hiod_iommufd_get_pasid_info()} in backends/iommufd.c): the caller's definition holds them.
 * Checked against the disassembly of Debian's QEMU 11.1.3 build (trixie-backports), where the
 * synthesis is inlined into {@code vfio_pci_add_capabilities()}.
 */
final class QemuVpasid {

    static final String POLICY = "qemu-11.0";

    private QemuVpasid() {
    }

    /**
     * Predicts QEMU's vPASID in {@code vcs} (the guest's view after the hiding policy), inserting
     * it where QEMU would.
     *
     * @param given the {@code x-vpasid-cap-offset} asked for, or null
     */
    static Decision place(VirtualConfigSpace vcs, SyntheticCapability c, CapabilityDefinition definition, Integer given) {
        if (c != SyntheticCapability.PASID) {
            Optional<VirtualCapability> own = vcs.layout().find(c.kind());
            return withheld(c, "QEMU 11.0 synthesizes only PASID; it does not expose " + c + own.map(o -> String.format(
                    " of its own: the device's %s@0x%03x passes through as vfio-pci shows it", c, o.offset()))
                    .orElse(""), List.of());
        }
        if (!vcs.hostShowsExtendedCapabilities()) {
            return withheld(c, "vfio-pci shows no extended capability (the dword at 0x100 reads 0): QEMU 11.0's"
                    + " vfio_add_ext_cap() returns before synthesizing vPASID, and the guest gets none", List.of());
        }
        Optional<VirtualCapability> shown = vcs.layout().find(ExtendedCapability.PASID);
        if (shown.isPresent()) {
            return withheld(c, String.format("vfio-pci shows the device's PASID@0x%03x: QEMU 11.0 passes it through"
                    + " and synthesizes none (vfio_add_ext_cap: pasid_cap_added)", shown.get().offset()), List.of());
        }
        int offset = given == null || given == 0 ? PlacementEngine.QEMU_DEFAULT_PASID_OFFSET : given;
        String origin = given == null ? "QEMU's default vPASID offset 0xff8"
                : given == 0 ? "x-vpasid-cap-offset=0, which QEMU reads as its default 0xff8"
                : String.format("x-vpasid-cap-offset=0x%x", given);
        Optional<String> refusal = vcs.editor().qemuRefusal(offset, c.length());
        if (refusal.isPresent()) {
            String why = String.format("pcie_insert_capability() refuses %s: %s; QEMU 11.0 reports \"vfio: Placing PASID"
                    + " capability at offset 0x%x failed\" and the VM starts without PASID", origin, refusal.get(), offset);
            return withheld(c, why, List.of(PlacementFinding.error(why)));
        }
        int nonZero = 0;
        for (int b = offset; b < offset + c.length(); b++) {
            nonZero += vcs.read(b, 1) != 0 ? 1 : 0;
        }
        List<String> covered = vcs.editor().insertAsQemu(offset, definition);
        List<PlacementFinding> findings = new ArrayList<>();
        for (String what : covered) {
            findings.add(PlacementFinding.error(String.format("vPASID at 0x%03x-0x%03x is laid over %s: the guest reads"
                    + " PASID registers there instead (pcie_insert_capability() checks only the headers of the"
                    + " capabilities before it)", offset, offset + c.length() - 1, what)));
        }
        if (covered.isEmpty() && nonZero > 0) {
            findings.add(PlacementFinding.warning(String.format("%d of the 8 bytes read non-zero (possible hidden"
                    + " registers) and QEMU does not check", nonZero)));
        }
        String why = origin + (findings.isEmpty() ? "; the bytes read zero" : "; " + findings.get(0));
        return new Decision(c, OptionalInt.of(offset), POLICY, why, false,
                List.of(new PolicyResult(POLICY, new Outcome.Placed(offset, why), List.of())), List.of(), findings);
    }

    static Decision withheld(SyntheticCapability c, String why, List<PlacementFinding> findings) {
        return new Decision(c, OptionalInt.empty(), POLICY, why, false,
                List.of(new PolicyResult(POLICY, new Outcome.Withheld(why), List.of())), List.of(), findings);
    }
}
