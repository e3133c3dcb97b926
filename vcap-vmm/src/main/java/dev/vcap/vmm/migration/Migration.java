package dev.vcap.vmm.migration;

import dev.vcap.host.Host;
import dev.vcap.host.Iommufd;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.vmm.AssignedDevice;
import dev.vcap.vmm.viommu.BindOutcome;
import dev.vcap.vmm.viommu.GuestPasidEntry;
import dev.vcap.vmm.viommu.VIommu;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Live migration of one assigned device: the source packs the layout contract, the guest's
 * writable config state and the guest's PASID-table entries (vIOMMU state, migrated with the VM);
 * the destination admits the contract, restores the state, and re-establishes every binding on its
 * host. The source releases its device once the destination has it.
 */
public final class Migration {

    /**
     * What crosses from source to destination for one device.
     *
     * @param contract the layout the guest has seen
     * @param state    the guest-writable config bits
     * @param bindings the guest's PASID-table entries, by PASID
     */
    public record Package(LayoutContract contract, GuestState state, Map<Integer, GuestPasidEntry> bindings) {
    }

    /**
     * The destination's outcome.
     *
     * @param device   the device on the destination, when admitted
     * @param verdict  admission's verdict
     * @param rebinds  what each PASID's re-binding did
     */
    public record Arrival(Optional<AssignedDevice> device, Admission.Result verdict, List<BindOutcome> rebinds) {
        public boolean admitted() {
            return device.isPresent();
        }
    }

    private Migration() {
    }

    /** Packs a source device (it keeps running until {@link #complete}). */
    public static Package pack(AssignedDevice source) {
        return new Package(Contracts.export(source.vcs()), Contracts.state(source.vcs()), source.binder().bindings());
    }

    /** Brings a package up on the destination: admission, state, then every binding again. */
    public static Arrival arrive(Package pkg, Host host, PciAddress address, Iommufd iommufd, VIommu viommu,
            Admission.Options options, Consumer<String> log) {
        AssignedDevice.Result r = AssignedDevice.attachUnder(pkg.contract(), pkg.state(), host, address, iommufd, viommu,
                options, log);
        List<BindOutcome> rebinds = new ArrayList<>();
        r.device().ifPresent(d -> pkg.bindings().values().forEach(e -> rebinds.add(d.binder().bind(e))));
        return new Arrival(r.device(), r.admission(), rebinds);
    }

    /** The destination has the device: the source detaches every PASID and the RID and lets go. */
    public static void complete(AssignedDevice source) {
        source.close();
    }
}
