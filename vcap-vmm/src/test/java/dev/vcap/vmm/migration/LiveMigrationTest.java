package dev.vcap.vmm.migration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.host.sim.SimHost;
import dev.vcap.host.sim.SimIommufd;
import dev.vcap.host.testing.Devices;
import dev.vcap.host.InMemoryConfigRegion;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.vmm.AssignedDevice;
import dev.vcap.vmm.config.HidingPolicy;
import dev.vcap.vmm.placement.PlacementOptions;
import dev.vcap.vmm.placement.QuirkTable;
import dev.vcap.vmm.placement.SyntheticCapability;
import dev.vcap.vmm.synth.PasidSupport;
import dev.vcap.vmm.synth.Synthesizers;
import dev.vcap.vmm.viommu.BindOutcome;
import dev.vcap.vmm.viommu.GuestPasidEntry;
import dev.vcap.vmm.viommu.VIommu;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Live migration of a VF between two simulated hosts whose VF firmware differs: the destination's
 * keeps a register at 0xff8. Placed by a pool plan over both hosts, the guest's PASID avoids it and
 * the migration is admitted with every binding re-established; placed as QEMU 11.0 does (0xff8),
 * the destination refuses.
 */
class LiveMigrationTest {

    static final VIommu VTD = new VIommu.IntelVtd(true, 19, true, false, true);
    static final QuirkTable NO_QUIRKS = QuirkTable.empty();
    static final PlacementOptions PLACEMENT = new PlacementOptions(Map.of(), null, List.of(), NO_QUIRKS, null, true,
            PlacementOptions.Compat.VCAP);
    final List<String> log = new ArrayList<>();

    static SimHost host(boolean tailRegister) {
        SimHost.Builder b = SimHost.builder().function(Devices.PF, Devices.sriovPf(20, true, false, false));
        if (tailRegister) {
            b.vfFirmware(Devices.PF, cs -> {
                cs.setU32(0xFF8, 0x0000_0C01); // firmware B keeps a vendor register here
                return cs;
            });
        }
        return b.build();
    }

    /** The VF's config as each host's vfio shows it, for pool planning. */
    static ConfigSpace vfView(SimHost host, PciAddress vf) {
        try (var device = host.openDevice(vf)) {
            var region = device.config();
            ConfigSpace cs = ConfigSpace.allocate(region.size());
            for (int off = 0; off < region.size(); off += 4) {
                cs.setU32(off, region.read(off, 4));
            }
            return cs;
        }
    }

    AssignedDevice.Options attachOptions(PlacementOptions placement) {
        return new AssignedDevice.Options(false, false, placement, HidingPolicy.defaults());
    }

    void enableAndBind(AssignedDevice d) {
        int pasid = d.vcs().layout().find(ExtendedCapability.PASID).orElseThrow().offset();
        d.vcs().write(pasid + Synthesizers.PASID_CONTROL, 2, Synthesizers.PASID_ENABLE);
        for (int p = 1; p <= 3; p++) {
            assertThat(d.binder().bind(new GuestPasidEntry(p, 0x10_0000L * p, false))).isInstanceOf(BindOutcome.Bound.class);
        }
    }

    @Test
    void aPoolPlanSurvivesAnotherFirmwareAndRebindsEveryPasid() {
        SimHost source = host(false);
        SimHost destination = host(true);
        PciAddress srcVf = source.enableVfs(Devices.PF, 1).getFirst();
        PciAddress dstVf = destination.enableVfs(Devices.PF, 1).getFirst();
        // the pool: both hosts' VFs as their vfio shows them
        PasidSupport support = new PasidSupport(20, true, false);
        PoolPlanner.PoolPlan pool = PoolPlanner.plan(List.of(
                new DeviceImage(srcVf, "source", vfView(source, srcVf), "source"),
                new DeviceImage(dstVf, "destination", vfView(destination, dstVf), "destination")).iterator(),
                new PoolPlanner.Options(Map.of(SyntheticCapability.PASID, Synthesizers.pasid(support)), PLACEMENT,
                        new Admission.Options(support, NO_QUIRKS, HidingPolicy.defaults()), InMemoryConfigRegion::new));
        assertThat(pool.complete()).isTrue();
        int offset = pool.contract().orElseThrow().synthesized(SyntheticCapability.PASID).orElseThrow().offset();
        assertThat(offset + 8).isLessThanOrEqualTo(0xFF8);

        try (SimIommufd srcFd = source.openIommufd(); SimIommufd dstFd = destination.openIommufd()) {
            AssignedDevice src = AssignedDevice.attach(source, srcVf, srcFd, VTD,
                    attachOptions(PLACEMENT.withExplicit(Map.of(SyntheticCapability.PASID, offset))), log::add);
            enableAndBind(src);
            Migration.Package pkg = Migration.pack(src);
            Migration.Arrival arrival = Migration.arrive(pkg, destination, dstVf, dstFd, VTD,
                    new Admission.Options(support, NO_QUIRKS, HidingPolicy.defaults()), log::add);
            assertThat(arrival.admitted()).as(log.toString()).isTrue();
            assertThat(arrival.rebinds()).hasSize(3).allMatch(b -> b instanceof BindOutcome.Bound);
            AssignedDevice dst = arrival.device().orElseThrow();
            assertThat(dst.binder().state().pasidEnabled()).isTrue();
            for (int p = 1; p <= 3; p++) {
                assertThat(destination.iommuDevice(dstVf).pasidDomain(p)).isNotZero();
            }
            assertThat(dst.vcs().layout().find(ExtendedCapability.PASID).orElseThrow().offset()).isEqualTo(offset);
            Migration.complete(src);
            assertThat(source.iommuDevice(srcVf).pasidEntries()).isZero();
            assertThat(srcFd.objectCount()).isZero();
            dst.close();
            assertThat(dstFd.objectCount()).isZero();
        }
    }

    /**
     * QEMU 11.0's vPASID carries the host's width, Exec and Priv unchanged
     * (backends/iommufd.c hiod_iommufd_get_pasid_info); the vIOMMU only decides whether there is
     * one. vcap offers the guest what both support.
     */
    @Test
    void qemuGivesTheGuestTheHostsPasidValuesUnchanged() {
        SimHost host = host(false);
        PciAddress vf = host.enableVfs(Devices.PF, 1).getFirst();
        VIommu narrow = new VIommu.IntelVtd(true, 7, false, false, true); // 8 PASID bits, no Exec
        for (PlacementOptions.Compat compat : PlacementOptions.Compat.values()) {
            try (SimIommufd fd = host.openIommufd()) {
                AssignedDevice d = AssignedDevice.attach(host, vf, fd, narrow,
                        attachOptions(PLACEMENT.withCompat(compat)), log::add);
                PasidSupport hostPasid = d.binder().hostPasid();
                assertThat(hostPasid).as("the vIOMMU is narrower").isNotEqualTo(hostPasid.intersect(narrow.pasid()));
                int at = d.vcs().layout().find(ExtendedCapability.PASID).orElseThrow().offset();
                int cap = d.vcs().read(at + Synthesizers.PASID_CAPABILITY, 2);
                PasidSupport guest = new PasidSupport(cap >>> Synthesizers.PASID_WIDTH_SHIFT & 0x1F,
                        (cap & Synthesizers.PASID_EXECUTE) != 0, (cap & Synthesizers.PASID_PRIVILEGED) != 0);
                assertThat(guest).as(compat.name()).isEqualTo(compat == PlacementOptions.Compat.QEMU ? hostPasid
                        : hostPasid.intersect(narrow.pasid()));
                d.close();
            }
        }
    }

    @Test
    void qemusDefaultOffsetIsRefusedOnTheOtherFirmware() {
        SimHost source = host(false);
        SimHost destination = host(true);
        PciAddress srcVf = source.enableVfs(Devices.PF, 1).getFirst();
        PciAddress dstVf = destination.enableVfs(Devices.PF, 1).getFirst();
        PasidSupport support = new PasidSupport(20, true, false);
        try (SimIommufd srcFd = source.openIommufd(); SimIommufd dstFd = destination.openIommufd()) {
            AssignedDevice src = AssignedDevice.attach(source, srcVf, srcFd, VTD,
                    attachOptions(PLACEMENT.withCompat(PlacementOptions.Compat.QEMU)), log::add);
            assertThat(src.vcs().layout().find(ExtendedCapability.PASID).orElseThrow().offset()).isEqualTo(0xFF8);
            enableAndBind(src);
            Migration.Arrival arrival = Migration.arrive(Migration.pack(src), destination, dstVf, dstFd, VTD,
                    new Admission.Options(support, NO_QUIRKS, HidingPolicy.defaults()), log::add);
            assertThat(arrival.admitted()).isFalse();
            assertThat(arrival.verdict()).isInstanceOf(Admission.Result.Refused.class);
            assertThat(((Admission.Result.Refused) arrival.verdict()).rule())
                    .isEqualTo(Admission.Rule.SYNTHESIZED_NONZERO_BYTES);
            assertThat(destination.pciDev(dstVf).vfioBound()).isFalse();
            src.close();
        }
    }
}
