package dev.vcap.kernel.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.guest.ConfigPort;
import dev.vcap.guest.GuestPciDev;
import dev.vcap.guest.GuestTopology;
import dev.vcap.host.Errno;
import dev.vcap.host.HostException;
import dev.vcap.kernel.LiveKernel;
import dev.vcap.linux.LinuxHost;
import dev.vcap.linux.LinuxIommufd;
import dev.vcap.linux.testing.OpenFds;
import dev.vcap.linux.testing.RealKernel;
import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.PciAddress;
import dev.vcap.vmm.AssignedDevice;
import dev.vcap.vmm.config.HidingPolicy;
import dev.vcap.vmm.config.VirtualConfigSpace;
import dev.vcap.vmm.placement.PlacementOptions;
import dev.vcap.vmm.viommu.BindOutcome;
import dev.vcap.vmm.viommu.GuestPasidEntry;
import dev.vcap.vmm.viommu.VIommu;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;

/**
 * The whole path on a real host: vcap-vmm's {@link AssignedDevice} over the Linux backend's real
 * vfio device — the VMM builds the guest's config space over the real config region and places a
 * vPASID, vcap-guest probes it as Linux does and enables PASID, and the guest's vIOMMU binds become
 * real PASID attach, replace and detach ioctls on Linux 7.3.4, and a clear refusal on 6.12.118,
 * which has no vfio PASID attach. The kernel is asked about each object the VMM made: attached ones
 * cannot be destroyed (EBUSY), and after shutdown none is left (ENOENT), nor any descriptor.
 */
class EndToEndKernelTest {

    static final PciAddress DEVICE = PciAddress.parse("0000:01:00.0");
    /** The guest's vIOMMU: VT-d scalable mode, 20-bit PASIDs, Exec and Supervisor requests, Device-TLB. */
    static final VIommu VTD = new VIommu.IntelVtd(true, 19, true, true, true);
    static final AssignedDevice.Options OPTIONS = new AssignedDevice.Options(false, true, PlacementOptions.defaults(),
            HidingPolicy.defaults());

    /** The guest's window on the VMM's config space, as a guest kernel's accessors see it. */
    record Port(VirtualConfigSpace vcs) implements ConfigPort {
        @Override
        public int read(int offset, int width) {
            ConfigPort.checkAccess(offset, width);
            return offset + width > vcs.size() ? -1 >>> (32 - 8 * width) : vcs.read(offset, width);
        }

        @Override
        public void write(int offset, int width, int value) {
            ConfigPort.checkAccess(offset, width);
            if (offset + width <= vcs.size()) {
                vcs.write(offset, width, value);
            }
        }
    }

    @Test
    void guestPasidBindsBecomeKernelCalls(TestReporter report) {
        RealKernel.vfioFunctions();
        LinuxHost host = new LinuxHost();
        long fds = OpenFds.count();
        List<String> log = new ArrayList<>();
        List<String> did = new ArrayList<>();
        try (LinuxIommufd kernel = host.openIommufd()) {
            RecordingIommufd fd = new RecordingIommufd(kernel, 20);
            try (AssignedDevice d = AssignedDevice.attach(new RecordingHost(host, kernel), DEVICE, fd, VTD, OPTIONS,
                    log::add)) {
                CapabilityChain guestView = CapabilityChain.walk(d.vcs().guestImage());
                // e1000e's Device Capabilities 2 has no End-End TLP Prefix: Linux's pci_enable_pasid refuses
                // it (EINVAL) unless PASID needs no prefix on the path (pdev->pasid_no_tlp), which this
                // guest is told; the refusal itself is checked below
                GuestPciDev guest = GuestPciDev.probe(new Port(d.vcs()), GuestTopology.behindRootPort()
                        .withPasidNoTlp(true));
                assertThat(String.format("%04x:%04x", guest.vendor(), guest.device())).isEqualTo("8086:10d3");
                assertThat(guestView.extended()).extracting(Capability::id).as("the device's own extended capabilities")
                        .contains(ExtendedCapability.AER.id(), ExtendedCapability.DSN.id());
                did.add("the kernel's GET_HW_INFO width 0 reaches the VMM as 20 (RecordingIommufd: no emulated device has"
                        + " PASID)");
                did.add("guest probed 8086:10d3 over the real config region: " + guestView.extended().stream()
                        .map(c -> String.format("%s@0x%x", c.name(), c.offset())).toList());
                if (LiveKernel.hasPasidUapi()) {
                    pasidFlow(d, guest, kernel, did);
                } else {
                    refusal(d, guest, did);
                }
                assertThat(guest.verifyCachedOffsets()).as("every offset the guest cached still holds its capability")
                        .isEmpty();
            }
            for (int id : fd.allocated()) {
                expectErrno(Errno.ENOENT, () -> kernel.destroy(id));
            }
            did.add("after shutdown the kernel knows none of the " + fd.allocated().size() + " objects the VMM made "
                    + fd.allocated());
        }
        assertThat(OpenFds.count()).as("descriptors after shutdown").isEqualTo(fds);
        report.publishEntry("end to end on " + LiveKernel.release(), "\n" + String.join("\n", did)
                + "\nVMM log:\n" + String.join("\n", log));
    }

    /** 7.3: vPASID placed and found, PASID enabled, binds attach / replace / detach for real. */
    private static void pasidFlow(AssignedDevice d, GuestPciDev guest, LinuxIommufd kernel, List<String> did) {
        int placed = d.vcs().layout().find(ExtendedCapability.PASID).orElseThrow().offset();
        assertThat(guest.pasidCap()).as("the guest finds the vPASID where the VMM placed it").isEqualTo(placed);
        assertThat(GuestPciDev.probe(new Port(d.vcs())).enablePasid(0)).as("pci_enable_pasid without an End-End"
                + " TLP Prefix and without pasid_no_tlp").isEqualTo(dev.vcap.guest.Errno.EINVAL);
        assertThat(guest.enablePasid(0)).isEqualTo(dev.vcap.guest.Errno.OK);
        did.add(String.format("vPASID at 0x%03x, enabled by the guest (pci_enable_pasid)", placed));

        BindOutcome first = d.binder().bind(new GuestPasidEntry(1, 0x1000, false));
        assertThat(first).isInstanceOf(BindOutcome.Bound.class);
        int hwpt1 = ((BindOutcome.Bound) first).hwpt();
        expectErrno(Errno.EBUSY, () -> kernel.destroy(hwpt1));
        assertThat(d.binder().bind(new GuestPasidEntry(2, 0x2000, false))).isInstanceOf(BindOutcome.Bound.class);
        BindOutcome again = d.binder().bind(new GuestPasidEntry(1, 0x3000, false));
        assertThat(again).isInstanceOf(BindOutcome.Bound.class).extracting(b -> ((BindOutcome.Bound) b).replaced())
                .isEqualTo(true);
        int hwpt1b = ((BindOutcome.Bound) again).hwpt();
        expectErrno(Errno.ENOENT, () -> kernel.destroy(hwpt1));
        expectErrno(Errno.EBUSY, () -> kernel.destroy(hwpt1b));
        did.add(String.format("bound PASID 1 (HWPT %d, EBUSY to destroy: attached in the kernel), PASID 2, rebound"
                + " PASID 1 (replace to HWPT %d; the old one is gone: ENOENT)", hwpt1, hwpt1b));
        int hwpt2 = d.binder().hwpt(2);
        assertThat(d.binder().unbind(2)).isEqualTo(new BindOutcome.Unbound(2, true));
        expectErrno(Errno.ENOENT, () -> kernel.destroy(hwpt2));
        assertThat(d.binder().bind(new GuestPasidEntry(1 << 20, 0x4000, false))).as("beyond the guest's 20 bits")
                .isInstanceOf(BindOutcome.Refused.class);
        did.add("unbound PASID 2 (detached, HWPT destroyed); PASID 2^20 refused by the VMM before the kernel");
    }

    /** 6.12: no vfio PASID attach, so no vPASID, and a bind is refused saying why. */
    private static void refusal(AssignedDevice d, GuestPciDev guest, List<String> did) {
        assertThat(d.vcs().layout().find(ExtendedCapability.PASID)).isEmpty();
        assertThat(guest.pasidCap()).isZero();
        BindOutcome out = d.binder().bind(new GuestPasidEntry(1, 0x1000, false));
        assertThat(out).isInstanceOf(BindOutcome.Refused.class);
        String reason = ((BindOutcome.Refused) out).reason();
        assertThat(reason).contains("no vfio PASID attach").contains("before Linux 6.15");
        did.add("no vPASID; the bind of PASID 1 refused: " + reason);
    }

    private static void expectErrno(Errno errno, ThrowingCallable call) {
        HostException e = org.assertj.core.api.Assertions.catchThrowableOfType(HostException.class, call);
        assertThat(e).as("expected %s", errno).isNotNull();
        assertThat(e.errno()).as(e.getMessage()).isEqualTo(errno);
    }
}
