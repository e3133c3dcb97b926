package dev.vcap.kernel.uapi;

import static dev.vcap.kernel.uapi.UapiSequence.attach;
import static dev.vcap.kernel.uapi.UapiSequence.attachPasid;
import static dev.vcap.kernel.uapi.UapiSequence.attachRid;
import static dev.vcap.kernel.uapi.UapiSequence.bind;
import static dev.vcap.kernel.uapi.UapiSequence.closeDevice;
import static dev.vcap.kernel.uapi.UapiSequence.destroy;
import static dev.vcap.kernel.uapi.UapiSequence.detach;
import static dev.vcap.kernel.uapi.UapiSequence.detachPasid;
import static dev.vcap.kernel.uapi.UapiSequence.detachRid;
import static dev.vcap.kernel.uapi.UapiSequence.hwpt;
import static dev.vcap.kernel.uapi.UapiSequence.ioas;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.host.HwptAlloc;
import dev.vcap.host.sim.SimHost;
import dev.vcap.host.sim.SimIommu;
import dev.vcap.kernel.LiveKernel;
import dev.vcap.kernel.SysfsConfig;
import dev.vcap.linux.sysfs.PciFunction;
import dev.vcap.linux.testing.OpenFds;
import dev.vcap.linux.testing.RealKernel;
import dev.vcap.pci.config.PciAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The iommufd/vfio uAPI, call sequence by call sequence, on the real kernel and on the simulation
 * configured like that host — the same device (its config space read from sysfs), an IOMMU like
 * QEMU's scalable-mode VT-d (no PASID, no dirty tracking, no nesting), and on a kernel before 6.15
 * the PASID flags unknown ({@code SimHost.Builder.pasidUapi(false)}). Each step's answer (success and
 * which object came back, or the errno) must be equal: on Linux 7.3.4 and 6.12.118 every one is,
 * after the simulation was corrected to what the kernel does (docs/LINUX.md, "Model versus
 * kernel"). A VF token is not reachable here: no emulated device of this guest has SR-IOV.
 */
class UapiKernelTest {

    /** The e1000e: no PASID capability, like every emulated device of this guest. */
    static final PciAddress DEVICE = PciAddress.parse("0000:01:00.0");

    private static final int ALLOC_PASID = HwptAlloc.PASID;

    static Stream<Arguments> sequences() {
        return Stream.of(
                seq("double bind", bind(), bind()),
                seq("PASID attach to an IOAS", bind(), ioas("ioas"), attachPasid(1, "ioas")),
                seq("PASID attach to a HWPT without ALLOC_PASID", bind(), ioas("ioas"), hwpt("plain", 0, "ioas"),
                        attachPasid(1, "plain")),
                seq("PASID attach to a HWPT with ALLOC_PASID", bind(), ioas("ioas"), hwpt("hp", ALLOC_PASID, "ioas"),
                        attachRid("hp"), attachPasid(1, "hp"), attachPasid(2, "hp"), detachPasid(1), detachPasid(2),
                        detachRid()),
                seq("short argsz", bind(), ioas("ioas"), hwpt("hp", ALLOC_PASID, "ioas"), attach(11, 0, "hp", 0),
                        attach(12, 1, "hp", 1), attach(15, 1, "hp", 1), attach(12, 0, "hp", 0), detach(7, 0, 0),
                        detach(8, 1, 1), detach(8, 0, 0), detachRid()),
                seq("unknown flags", bind(), ioas("ioas"), hwpt("hp", ALLOC_PASID, "ioas"), attach(16, 2, "hp", 1),
                        attach(16, 0x8000_0001, "hp", 1), detach(12, 4, 1), hwpt("bad", 1 << 7, "ioas")),
                seq("HWPT flags this IOMMU lacks", bind(), ioas("ioas"), hwpt("dirty", HwptAlloc.DIRTY_TRACKING, "ioas"),
                        hwpt("parent", HwptAlloc.NEST_PARENT, "ioas"), hwpt("hp", ALLOC_PASID, "ioas"),
                        hwpt("plain", 0, "ioas")),
                seq("replace", bind(), ioas("ioas"), hwpt("hp", ALLOC_PASID, "ioas"), hwpt("hp2", ALLOC_PASID, "ioas"),
                        attachRid("hp"), attachRid("hp2"), attachRid("hp2"), attachPasid(3, "hp"), attachPasid(3, "hp2"),
                        attachPasid(3, "hp2"), destroy("hp"), detachPasid(3), detachRid(), destroy("hp2")),
                seq("RID attach to an IOAS, again, then to a HWPT", bind(), ioas("ioas"), attachRid("ioas"),
                        attachRid("ioas"), hwpt("hp", ALLOC_PASID, "ioas"), attachRid("hp"), destroy("auto1"),
                        detachRid(), destroy("hp"), destroy("ioas")),
                seq("detach of an unattached PASID", bind(), detachPasid(5), detachPasid(5), detachRid()),
                seq("destroy in use", bind(), ioas("ioas"), hwpt("hp", ALLOC_PASID, "ioas"), attachRid("hp"),
                        destroy("hp"), destroy("ioas"), detachRid(), destroy("hp"), destroy("ioas"), destroy("ioas")),
                seq("PASID 0", bind(), ioas("ioas"), hwpt("hp", ALLOC_PASID, "ioas"), hwpt("hp2", ALLOC_PASID, "ioas"),
                        attachPasid(0, "hp"), attachPasid(0, "hp2"), attachRid("hp"), detachRid(), destroy("hp2"),
                        detachPasid(0), destroy("hp2"), attachRid("hp"), attachPasid(0, "hp"), detachPasid(0),
                        detachRid(), destroy("hp")),
                seq("PASIDs beyond any width on a device without PASID", bind(), ioas("ioas"),
                        hwpt("hp", ALLOC_PASID, "ioas"), attachRid("hp"), attachPasid(1 << 20, "hp"),
                        attachPasid(Integer.MAX_VALUE, "hp"), attachPasid(Integer.MIN_VALUE, "hp"),
                        attachPasid(-1, "hp"), attachPasid(-1, "#4711"), detachPasid(Integer.MIN_VALUE),
                        detachPasid(1 << 20)),
                seq("the RID without ALLOC_PASID beside PASIDs", bind(), ioas("ioas"), hwpt("hp", ALLOC_PASID, "ioas"),
                        hwpt("plain", 0, "ioas"), attachRid("plain"), attachPasid(1, "hp"), detachRid(),
                        attachPasid(1, "hp"), attachRid("plain"), attachRid("ioas"), detachPasid(1), attachRid("plain")),
                seq("objects that are not page tables", bind(), ioas("ioas"), attachRid("#4711"), attachRid("dev"),
                        attachPasid(1, "dev"), hwpt("onDev", 0, "dev"), hwpt("onNothing", 0, "#4711")),
                seq("closing the device file detaches everything", bind(), ioas("ioas"),
                        hwpt("hp", ALLOC_PASID, "ioas"), attachRid("hp"), attachPasid(1, "hp"), attachPasid(7, "hp"),
                        destroy("hp"), closeDevice(), destroy("hp"), destroy("ioas")));
    }

    private static Arguments seq(String name, UapiSequence.Step... steps) {
        return Arguments.of(new UapiSequence(name, List.of(steps)));
    }

    /** The simulated host configured as this guest's: same device, same IOMMU, same kernel generation. */
    static SimHost simLikeThisHost(PciFunction f) {
        try (SysfsConfig sysfs = SysfsConfig.open(f.address())) {
            return SimHost.builder()
                    .iommu(SimIommu.Features.defaults().withPasid(false).withDirtyTracking(false).withNesting(false, false))
                    .pasidUapi(LiveKernel.hasPasidUapi())
                    .function(f.address(), sysfs.snapshot())
                    .build();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sequences")
    void kernelAndSimulationAnswerAlike(UapiSequence seq, TestReporter report) {
        PciFunction f = RealKernel.vfioFunctions().stream().filter(p -> p.address().equals(DEVICE)).findFirst()
                .orElseThrow(() -> new AssertionError(DEVICE + " is not bound to vfio-pci"));
        long fds = OpenFds.count();
        List<String> kernel;
        try (KernelTarget k = new KernelTarget("/dev/vfio/devices/" + f.vfioDevice())) {
            kernel = seq.run(k);
        }
        assertThat(OpenFds.count()).as("descriptors after the sequence").isEqualTo(fds);
        List<String> sim;
        SimHost host = simLikeThisHost(f);
        SimTarget s = new SimTarget(host, DEVICE);
        try (s) {
            sim = seq.run(s);
        }
        assertThat(s.objects()).as("simulated iommufd objects left after closing").isZero();

        List<String> lines = new ArrayList<>();
        List<String> unexplained = new ArrayList<>();
        for (int i = 0; i < seq.steps().size(); i++) {
            String step = seq.steps().get(i).text();
            String k = kernel.get(i);
            String m = sim.get(i);
            String line = String.format("%-52s %s", step, k);
            if (!k.equals(m)) {
                line = String.format("%-52s kernel %s, simulation %s  << DIFFERENT", step, k, m);
                unexplained.add(step + ": kernel " + k + ", simulation " + m);
            }
            lines.add(line);
        }
        report.publishEntry(seq.name() + " on " + LiveKernel.release() + " (kernel = simulation unless said)",
                "\n" + String.join("\n", lines));
        assertThat(unexplained).as("%s on %s: steps where the simulation answers otherwise than the kernel", seq.name(),
                LiveKernel.release()).isEmpty();
    }
}
