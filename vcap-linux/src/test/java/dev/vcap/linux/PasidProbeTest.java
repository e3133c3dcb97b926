package dev.vcap.linux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.host.Errno;
import dev.vcap.host.HwInfo;
import dev.vcap.linux.PasidProbe.Outcome;
import dev.vcap.linux.PasidProbe.Report;
import dev.vcap.linux.PasidProbe.Step;
import dev.vcap.linux.testing.FakeSysfs;
import dev.vcap.linux.testing.OpenFds;
import dev.vcap.pci.config.PciAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The probe's decisions, from kernel answers given to it, and its clean-up on a host that refuses early. */
class PasidProbeTest {

    private static final PciAddress A = PciAddress.parse("0000:01:00.0");

    @TempDir
    Path tmp;

    @Test
    void aRefusedBindStopsTheProbeAndEverythingOpenedIsClosed() {
        FakeSysfs fs = new FakeSysfs(tmp).iommufd();
        fs.function("0000:01:00.0").driver("vfio-pci").group(7).vfio("vfio0");
        long before = OpenFds.count();
        Report r = PasidProbe.run(new LinuxHost(fs.sys(), fs.dev()), A, true);
        assertThat(OpenFds.count()).isEqualTo(before);
        assertThat(r.steps()).extracting(Step::name).containsExactly("open iommufd", "open device", "bind",
                "close device (unbind)", "close iommufd");
        Step bind = r.steps().get(2);
        assertThat(bind.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(bind.errno()).isEqualTo(Errno.ENOTTY);
        assertThat(bind.answer()).isEqualTo("ENOTTY");
        assertThat(r.steps().subList(3, 5)).allMatch(Step::cleanup).allMatch(s -> s.outcome() == Outcome.OK);
        assertThat(r.cleanedUp()).isTrue();
        assertThat(r.passthrough()).isEqualTo(Feature.Status.UNKNOWN);
        assertThat(r.verdict()).isEqualTo("the probe stopped before IOMMU_GET_HW_INFO: bind ENOTTY (ENOTTY from"
                + " VFIO_DEVICE_BIND_IOMMUFD)");
    }

    @Test
    void withoutIommufdTheFirstStepSaysSo() {
        FakeSysfs fs = new FakeSysfs(tmp);
        fs.function("0000:01:00.0").driver("vfio-pci").group(7).vfio("vfio0");
        Report r = PasidProbe.run(new LinuxHost(fs.sys(), fs.dev()), A, false);
        assertThat(r.steps()).hasSize(1);
        assertThat(r.steps().get(0).errno()).isEqualTo(Errno.ENOENT);
        assertThat(r.hwInfo()).isNull();
    }

    @Test
    void aFunctionVfioPciDoesNotOwnIsNeverOpened() {
        FakeSysfs fs = new FakeSysfs(tmp).iommufd();
        fs.function("0000:01:00.0").driver("e1000e").group(7);
        Report r = PasidProbe.run(new LinuxHost(fs.sys(), fs.dev()), A, true);
        Step open = r.steps().get(1);
        assertThat(open.name()).isEqualTo("open device");
        assertThat(open.errno()).isEqualTo(Errno.ENODEV);
        assertThat(open.result()).contains("vfio-pci does not own it (driver: e1000e)");
    }

    private static Report report(boolean attach, HwInfo info, Feature pasidAttach, Feature alloc) {
        return new Report(A, "/dev/vfio/devices/vfio0", attach, List.of(), info, pasidAttach, alloc, null, null);
    }

    private static final HwInfo WIDTH_20 = new HwInfo(HwInfo.TYPE_INTEL_VTD, 24, 20, HwInfo.CAP_PCI_PASID_EXEC);
    private static final HwInfo NO_PASID = new HwInfo(HwInfo.TYPE_INTEL_VTD, 24, 0, 8);

    @Test
    void aKernelWithoutPasidAttachIsNamedPlainly() {
        Feature flagUnknown = KernelFeatures.pasidAttach(LinuxVfioDevice.PasidAttach.FLAG_UNKNOWN, "vfio-pci", "");
        Report r = PasidProbe.verdict(report(true, WIDTH_20, flagUnknown, KernelFeatures.hwptAllocPasid(
                Optional.empty(), Optional.of(Errno.EOPNOTSUPP), "")), false);
        assertThat(r.passthrough()).isEqualTo(Feature.Status.NO);
        assertThat(r.verdict()).startsWith("this kernel has no vfio PASID attach (Linux < 6.15)");
    }

    @Test
    void aDeviceWithoutPasidIsNoEvenOnAKernelWithIt() {
        Feature yes = KernelFeatures.pasidAttach(LinuxVfioDevice.PasidAttach.SUPPORTED, "vfio-pci", "");
        Feature alloc = KernelFeatures.hwptAllocPasid(Optional.empty(), Optional.empty(), "");
        Report r = PasidProbe.verdict(report(true, NO_PASID, yes, alloc), true);
        assertThat(r.passthrough()).isEqualTo(Feature.Status.NO);
        assertThat(r.verdict()).contains("out_max_pasid_log2 0");
    }

    @Test
    void withPasidEverywhereTheAnswerDependsOnTheAttachSteps() {
        Feature yes = KernelFeatures.pasidAttach(LinuxVfioDevice.PasidAttach.SUPPORTED, "vfio-pci", "");
        Feature alloc = KernelFeatures.hwptAllocPasid(Optional.empty(), Optional.empty(), "");
        assertThat(PasidProbe.verdict(report(false, WIDTH_20, yes, alloc), false).verdict())
                .contains("--attach also tries");
        assertThat(PasidProbe.verdict(report(true, WIDTH_20, yes, alloc), true).passthrough())
                .isEqualTo(Feature.Status.YES);
        Report failed = PasidProbe.verdict(new Report(A, null, true, List.of(new Step("PASID attach",
                "VFIO_DEVICE_ATTACH_IOMMUFD_PT", "", true, Outcome.FAILED, Errno.EINVAL, "why", false)), WIDTH_20, yes,
                alloc, null, null), false);
        assertThat(failed.passthrough()).isEqualTo(Feature.Status.NO);
        assertThat(failed.verdict()).isEqualTo("PASID attach failed: EINVAL (why)");
    }

    @Test
    void featureDecisionsTellAnUnknownFlagFromMissingDriverOps() {
        assertThat(KernelFeatures.pasidAttach(LinuxVfioDevice.PasidAttach.NO_DRIVER_OPS, "mlx5_vfio_pci", "")
                .detail()).contains("mlx5_vfio_pci has no PASID ops (EOPNOTSUPP)");
        assertThat(KernelFeatures.pasidAttach(LinuxVfioDevice.PasidAttach.NOT_PROBED, "vfio-pci", "").status())
                .isEqualTo(Feature.Status.UNKNOWN);
        assertThat(KernelFeatures.hwptAllocPasid(Optional.of(Errno.ENOENT), Optional.of(Errno.EOPNOTSUPP), "")
                .status()).as("when the plain allocation fails too, the flag's answer says nothing")
                .isEqualTo(Feature.Status.UNKNOWN);
        assertThat(KernelFeatures.hwptAllocPasid(Optional.empty(), Optional.of(Errno.EOPNOTSUPP), "").detail())
                .contains("Linux < 6.15");
    }

    @Test
    void hardwareInfoIsDescribedWithItsCapabilityNames() {
        assertThat(PasidProbe.describeHwInfo(new HwInfo(1, 24, 0, 8))).isEqualTo("Intel VT-d, out_max_pasid_log2 0,"
                + " capabilities 0x8 (PCI_ATS_NOT_SUPPORTED)");
        assertThat(PasidProbe.describeHwInfo(new HwInfo(3, 0, 20, 6))).isEqualTo("type 3, out_max_pasid_log2 20,"
                + " capabilities 0x6 (PCI_PASID_EXEC, PCI_PASID_PRIV)");
    }
}
