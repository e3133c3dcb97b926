package dev.vcap.vmm.viommu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.host.Errno;
import dev.vcap.host.sim.SimHost;
import dev.vcap.host.sim.SimIommu;
import dev.vcap.host.sim.SimIommufd;
import dev.vcap.host.testing.Devices;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.vmm.AssignedDevice;
import dev.vcap.vmm.TestAttach;
import dev.vcap.vmm.config.VirtualCapability;
import dev.vcap.vmm.synth.Synthesizers;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The vIOMMU-driven PASID flows, each against the simulated host. */
class PasidBinderTest {

    static final VIommu VTD = new VIommu.IntelVtd(true, 19, true, true, true);
    static final AssignedDevice.Options OPTIONS = TestAttach.PRI_AND_ATS;

    final List<String> log = new ArrayList<>();

    static int pasidControl(AssignedDevice d) {
        return d.vcs().layout().find(ExtendedCapability.PASID).orElseThrow().offset() + Synthesizers.PASID_CONTROL;
    }

    AssignedDevice pf(SimHost host, SimIommufd fd) {
        return AssignedDevice.attach(host, Devices.PF, fd, VTD, OPTIONS, log::add);
    }

    @Test
    void bindingAttachesRebindingReplacesUnbindingDetaches() {
        SimHost host = SimHost.builder().function(Devices.PF, Devices.sriovPf()).build();
        try (SimIommufd fd = host.openIommufd(); AssignedDevice d = pf(host, fd)) {
            d.vcs().write(pasidControl(d), 2, Synthesizers.PASID_ENABLE);
            for (int pasid = 1; pasid <= 3; pasid++) {
                assertThat(d.binder().bind(new GuestPasidEntry(pasid, 0x1000L * pasid, false)))
                        .isInstanceOf(BindOutcome.Bound.class);
                assertThat(host.iommuDevice(Devices.PF).pasidDomain(pasid)).isNotZero();
            }
            int before = d.binder().hwpt(2);
            BindOutcome rebound = d.binder().bind(new GuestPasidEntry(2, 0x9000, false));
            assertThat(rebound).isEqualTo(new BindOutcome.Bound(2, d.binder().hwpt(2), true));
            assertThat(d.binder().hwpt(2)).isNotEqualTo(before);
            assertThat(d.binder().unbind(3)).isEqualTo(new BindOutcome.Unbound(3, true));
            assertThat(host.iommuDevice(Devices.PF).pasidDomain(3)).isZero();
            assertThat(d.binder().unbind(3)).isEqualTo(new BindOutcome.Unbound(3, false));
            assertThat(d.binder().bindings()).containsOnlyKeys(1, 2);
        }
    }

    @Test
    void clearingPasidEnableDetachesEveryPasid() {
        SimHost host = SimHost.builder().function(Devices.PF, Devices.sriovPf()).build();
        try (SimIommufd fd = host.openIommufd(); AssignedDevice d = pf(host, fd)) {
            d.vcs().write(pasidControl(d), 2, Synthesizers.PASID_ENABLE);
            d.binder().bind(new GuestPasidEntry(1, 0x1000, false));
            d.binder().bind(new GuestPasidEntry(7, 0x2000, false));
            d.vcs().write(pasidControl(d), 2, 0);
            assertThat(d.binder().bindings()).isEmpty();
            assertThat(host.iommuDevice(Devices.PF).pasidEntries()).isZero();
            assertThat(d.binder().bind(new GuestPasidEntry(1, 0x1000, false))).isEqualTo(new BindOutcome.Refused(1, null,
                    "PASID Enable is clear in the device's PASID capability"));
        }
    }

    @Test
    void resetDetachesEveryPasidAndResetsTheSynthesizedRegisters() {
        SimHost host = SimHost.builder().function(Devices.PF, Devices.sriovPf()).build();
        try (SimIommufd fd = host.openIommufd(); AssignedDevice d = pf(host, fd)) {
            d.vcs().write(pasidControl(d), 2, Synthesizers.PASID_ENABLE);
            d.binder().bind(new GuestPasidEntry(5, 0x5000, false));
            d.binder().reset();
            assertThat(d.binder().bindings()).isEmpty();
            assertThat(d.vcs().read(pasidControl(d), 2)).isZero();
            assertThat(host.iommuDevice(Devices.PF).pasidEntries()).isZero();
        }
    }

    @Test
    void aGuestWriteOfInitiateFlrDetachesResetsTheEmulatedRegistersAndResetsTheDevice() {
        SimHost host = SimHost.builder().function(Devices.PF, Devices.sriovPf()).build();
        try (SimIommufd fd = host.openIommufd(); AssignedDevice d = pf(host, fd)) {
            d.vcs().write(pasidControl(d), 2, Synthesizers.PASID_ENABLE);
            d.binder().bind(new GuestPasidEntry(5, 0x5000, false));
            int msixControl = 0x80 + 2;
            d.vcs().write(msixControl, 2, 0x8000); // the guest enables MSI-X (emulated by the VMM)
            assertThat(d.vcs().read(msixControl, 2) & 0xC000).isEqualTo(0x8000);
            long resets = host.function(Devices.PF).resets();
            int devctl = 0x40 + 0x08;
            d.vcs().write(devctl, 2, d.vcs().read(devctl, 2) | 0x8000);
            assertThat(d.binder().bindings()).isEmpty();
            assertThat(host.iommuDevice(Devices.PF).pasidEntries()).isZero();
            assertThat(d.vcs().read(pasidControl(d), 2)).isZero();
            assertThat(host.function(Devices.PF).resets()).isEqualTo(resets + 1);
            assertThat(d.vcs().read(devctl, 2) & 0x8000).as("Initiate FLR reads 0").isZero();
            assertThat(d.vcs().read(msixControl, 2) & 0xC000).as("MSI-X Enable and Function Mask reset").isZero();
            assertThat(log).contains("guest initiated a function-level reset: every PASID detached, then"
                    + " VFIO_DEVICE_RESET");
        }
    }

    @Test
    void initiateFlrOnAFunctionWithoutFlrIsIgnored() {
        SimHost host = SimHost.builder().function(Devices.PF, Devices.pasidEndpoint(20)).build();
        try (SimIommufd fd = host.openIommufd(); AssignedDevice d = pf(host, fd)) {
            d.vcs().write(pasidControl(d), 2, Synthesizers.PASID_ENABLE);
            d.binder().bind(new GuestPasidEntry(5, 0x5000, false));
            d.vcs().write(0x40 + 0x08, 2, 0x8000);
            assertThat(d.binder().bindings()).containsOnlyKeys(5);
            assertThat(host.function(Devices.PF).resets()).isZero();
        }
    }

    @Test
    void shutdownLeavesNothingBehind() {
        SimHost host = SimHost.builder().function(Devices.PF, Devices.sriovPf()).build();
        try (SimIommufd fd = host.openIommufd()) {
            AssignedDevice d = pf(host, fd);
            d.vcs().write(pasidControl(d), 2, Synthesizers.PASID_ENABLE);
            d.binder().bind(new GuestPasidEntry(1, 0x1000, false));
            d.binder().bind(new GuestPasidEntry(2, 0x2000, true));
            d.close();
            assertThat(host.iommuDevice(Devices.PF).pasidEntries()).isZero();
            assertThat(host.iommuDevice(Devices.PF).ridDomain()).isZero();
            assertThat(fd.objectCount()).isZero();
            assertThat(host.pciDev(Devices.PF).vfioBound()).isFalse();
        }
    }

    @Test
    void aVfGetsPasidOnlyWhenItsPfHasPasidEnabled() {
        SimHost with = SimHost.builder().function(Devices.PF, Devices.sriovPf()).build();
        PciAddress vf = with.enableVfs(Devices.PF, 1).getFirst();
        try (SimIommufd fd = with.openIommufd(); AssignedDevice d = AssignedDevice.attach(with, vf, fd, VTD, OPTIONS,
                log::add)) {
            assertThat(d.vcs().layout().find(ExtendedCapability.PASID)).isPresent();
        }
        SimHost without = SimHost.builder().function(Devices.PF, Devices.sriovPf()).build();
        without.pciDev(Devices.PF).disablePasid();
        PciAddress vf2 = without.enableVfs(Devices.PF, 1).getFirst();
        try (SimIommufd fd = without.openIommufd(); AssignedDevice d = AssignedDevice.attach(without, vf2, fd, VTD,
                OPTIONS, log::add)) {
            assertThat(d.vcs().layout().find(ExtendedCapability.PASID)).isEmpty();
            assertThat(d.binder().bind(new GuestPasidEntry(1, 0x1000, false))).isInstanceOf(BindOutcome.Refused.class)
                    .extracting(BindOutcome::pasid).isEqualTo(1);
            assertThat(log).anySatisfy(l -> assertThat(l).startsWith("no vPASID: host width 0"));
        }
    }

    /**
     * An IOMMU without nesting (IOMMU_HWPT_ALLOC_NEST_PARENT is EOPNOTSUPP, as on QEMU's emulated
     * VT-d): the RID goes to a PASID-compatible paging HWPT and each guest PASID to a paging HWPT of
     * its own on the IOAS; binds still attach, replace and detach.
     */
    @Test
    void withoutNestingPasidsAttachToPagingHwpts() {
        SimHost host = SimHost.builder().iommu(SimIommu.Features.defaults().withNesting(false, false))
                .function(Devices.PF, Devices.sriovPf()).build();
        try (SimIommufd fd = host.openIommufd(); AssignedDevice d = pf(host, fd)) {
            d.vcs().write(pasidControl(d), 2, Synthesizers.PASID_ENABLE);
            assertThat(d.binder().bind(new GuestPasidEntry(1, 0x1000, false))).isInstanceOf(BindOutcome.Bound.class);
            assertThat(d.binder().bind(new GuestPasidEntry(1, 0x2000, false))).extracting(b -> ((BindOutcome.Bound) b)
                    .replaced()).isEqualTo(true);
            assertThat(host.iommuDevice(Devices.PF).pasidDomain(1)).isEqualTo(d.binder().hwpt(1));
            assertThat(log).anySatisfy(l -> assertThat(l).contains("RID attached to paging HWPT"));
        }
    }

    /** A kernel before 6.15: no vfio PASID attach, so no vPASID whatever GET_HW_INFO says, and the log says why. */
    @Test
    void aKernelWithoutPasidAttachOffersNoPasid() {
        SimHost host = SimHost.builder().pasidUapi(false).iommu(SimIommu.Features.defaults().withNesting(false, false))
                .function(Devices.PF, Devices.sriovPf()).build();
        try (SimIommufd fd = host.openIommufd(); AssignedDevice d = pf(host, fd)) {
            assertThat(d.binder().hwInfo().maxPasidLog2()).isEqualTo(20);
            assertThat(d.vcs().layout().find(ExtendedCapability.PASID)).isEmpty();
            BindOutcome out = d.binder().bind(new GuestPasidEntry(1, 0x1000, false));
            assertThat(out).isEqualTo(new BindOutcome.Refused(1, null, "the vIOMMU offers no PASID for this device (the"
                    + " host kernel has no vfio PASID attach: VFIO_DEVICE_ATTACH_PASID is an unknown flag before Linux"
                    + " 6.15)"));
            assertThat(log).contains("IOMMU_HWPT_ALLOC with flags 0x8: EOPNOTSUPP; trying without ALLOC_PASID");
        }
    }

    @Test
    void aFaultCapableBindOnAVfWhosePfHasPriIsRefusedAndTheGuestToldWhy() {
        SimHost host = SimHost.builder().function(Devices.PF, Devices.sriovPf()).build();
        PciAddress vf = host.enableVfs(Devices.PF, 1).getFirst();
        try (SimIommufd fd = host.openIommufd(); AssignedDevice d = AssignedDevice.attach(host, vf, fd, VTD, OPTIONS,
                log::add)) {
            d.vcs().write(pasidControl(d), 2, Synthesizers.PASID_ENABLE);
            BindOutcome out = d.binder().bind(new GuestPasidEntry(4, 0x4000, true));
            assertThat(out).isInstanceOf(BindOutcome.Refused.class);
            BindOutcome.Refused refused = (BindOutcome.Refused) out;
            assertThat(refused.errno()).isEqualTo(Errno.EINVAL);
            assertThat(refused.reason()).contains("PRI");
            assertThat(d.binder().bind(new GuestPasidEntry(4, 0x4000, false))).isInstanceOf(BindOutcome.Bound.class);
        }
    }

    @Test
    void atsAndPriEnablesAreVIommuStateOnly() {
        SimHost host = SimHost.builder().function(Devices.PF, Devices.sriovPf()).build();
        try (SimIommufd fd = host.openIommufd(); AssignedDevice d = pf(host, fd)) {
            VirtualCapability ats = d.vcs().layout().find(ExtendedCapability.ATS).orElseThrow();
            VirtualCapability pri = d.vcs().layout().find(ExtendedCapability.PRI).orElseThrow();
            boolean hostAtsBefore = host.pciDev(Devices.PF).atsEnabled();
            boolean hostPriBefore = host.pciDev(Devices.PF).priEnabled();
            d.vcs().write(ats.offset() + Synthesizers.ATS_CONTROL, 2, Synthesizers.ATS_ENABLE | 2);
            d.vcs().write(pri.offset() + Synthesizers.PRI_CONTROL, 2, Synthesizers.PRI_ENABLE);
            assertThat(d.binder().state()).isEqualTo(new PasidBinder.ViommuState(false, true, 2, true, 0));
            assertThat(host.pciDev(Devices.PF).atsEnabled()).isEqualTo(hostAtsBefore);
            assertThat(host.pciDev(Devices.PF).priEnabled()).isEqualTo(hostPriBefore);
        }
    }

    @Test
    void smmuOffersItsSsidSizeAndNoExecOrPriv() {
        assertThat(new VIommu.ArmSmmuV3(16, true).pasid()).isEqualTo(new dev.vcap.vmm.synth.PasidSupport(16, false, false));
        assertThat(new VIommu.IntelVtd(false, 19, true, true, true).pasid().supported()).isFalse();
        assertThat(VTD.pasid().width()).isEqualTo(20);
    }
}
