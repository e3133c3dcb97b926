package dev.vcap.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.vcap.host.Errno;
import dev.vcap.host.HostException;
import dev.vcap.host.HwInfo;
import dev.vcap.host.HwptAlloc;
import dev.vcap.linux.sysfs.PciFunction;
import dev.vcap.linux.testing.OpenFds;
import dev.vcap.linux.testing.RealKernel;
import dev.vcap.linux.uapi.VfioIoctls;
import dev.vcap.pci.config.ConfigSpace;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The Linux host against a real kernel (the guest of kernel/vm.sh: e1000e, nvme and virtio-net behind
 * an emulated intel-iommu, bound to vfio-pci). Assertions hold on every kernel with iommufd; where
 * kernels differ (PASID attach: 6.15 and later) the test asserts the behaviours agree with each other,
 * and prints what this kernel answered. Skips without /dev/iommu.
 */
class LinuxKernelTest {

    private final LinuxHost host = new LinuxHost();

    @Test
    void sysfsListsTheVfioFunctionsWithGroupAndDeviceFile() {
        for (PciFunction f : RealKernel.vfioFunctions()) {
            assertThat(f.driver()).isEqualTo("vfio-pci");
            assertThat(f.iommuGroup()).as("%s group", f.address()).isNotNegative();
            assertThat(f.vfioDevice()).as("%s vfio-dev", f.address()).matches("vfio\\d+");
            assertThat(Path.of(f.vfioDevicePath("/dev").orElseThrow())).exists();
            System.out.printf("%s %s group %d %s class %06x%n", f.address(), f.ids(), f.iommuGroup(), f.vfioDevice(),
                    f.classCode());
        }
        assertThat(host.devices()).isEqualTo(RealKernel.vfioFunctions().stream().map(PciFunction::address).toList());
    }

    @Test
    void bindGivesADevIdAndHwInfo() {
        PciFunction f = RealKernel.cdevFunction();
        try (LinuxIommufd iommufd = host.openIommufd(); LinuxVfioDevice dev = host.openDevice(f.address())) {
            int devId = dev.bind(iommufd);
            assertThat(devId).isPositive();
            HwInfo info = iommufd.getHwInfo(devId);
            assertThat(info.dataType()).as("intel-iommu").isEqualTo(HwInfo.TYPE_INTEL_VTD);
            System.out.printf("%s dev_id %d: GET_HW_INFO type %d, data_len %d, max_pasid_log2 %d, caps 0x%x;"
                    + " PASID attach: %s%n", f.address(), devId, info.dataType(), info.dataLen(), info.maxPasidLog2(),
                    info.capabilities(), dev.pasidAttach());
            assertThat(dev.pasidAttach()).isNotEqualTo(LinuxVfioDevice.PasidAttach.NOT_PROBED);
        }
    }

    @Test
    void everyDeviceCallBeforeBindIsEinval() {
        PciFunction f = RealKernel.cdevFunction();
        try (LinuxVfioDevice dev = host.openDevice(f.address())) {
            HostException e = catchThrowableOfType(HostException.class, dev::info);
            assertThat(e.errno()).isEqualTo(Errno.EINVAL);
            assertThat(e.kernelCall()).contains("VFIO_DEVICE_GET_INFO");
            assertThat(e.rule()).isNull();
            assertThat(catchThrowableOfType(HostException.class, dev::config).errno()).isEqualTo(Errno.EINVAL);
        }
    }

    @Test
    void aSecondBindIsEinval() {
        PciFunction f = RealKernel.cdevFunction();
        try (LinuxIommufd iommufd = host.openIommufd(); LinuxVfioDevice dev = host.openDevice(f.address())) {
            dev.bind(iommufd);
            HostException e = catchThrowableOfType(HostException.class, () -> dev.bind(iommufd));
            assertThat(e.errno()).isEqualTo(Errno.EINVAL);
            assertThat(e.kernelCall()).contains("VFIO_DEVICE_BIND_IOMMUFD");
        }
    }

    @Test
    void theConfigRegionReadsAsSysfsRightAfterOpen() throws IOException {
        for (PciFunction f : RealKernel.vfioFunctions()) {
            byte[] sysfs = Files.readAllBytes(Path.of("/sys/bus/pci/devices", f.address().toString(), "config"));
            try (LinuxIommufd iommufd = host.openIommufd(); LinuxVfioDevice dev = host.openDevice(f.address())) {
                dev.bind(iommufd);
                ConfigSpace whole = dev.readConfig();
                assertThat(whole.length()).isEqualTo(sysfs.length);
                assertThat(dev.config().size()).isEqualTo(sysfs.length);
                for (int off = 0; off < whole.length(); off += 4) {
                    assertThat(dev.config().read(off, 4)).as("%s dword 0x%x", f.address(), off).isEqualTo(whole.u32(off));
                }
                assertThat(dev.config().read(0, 2)).isEqualTo(f.vendor());
                assertThat(dev.config().read(2, 2)).isEqualTo(f.device());
                int diffs = 0;
                for (int i = 0; i < sysfs.length; i++) {
                    diffs += whole.u8(i) == (sysfs[i] & 0xFF) ? 0 : 1;
                }
                System.out.printf("%s: vfio config region %d bytes at file offset 0x%x, %d bytes differ from sysfs%n",
                        f.address(), whole.length(), dev.configRegion().info().offset(), diffs);
                assertThat(dev.configRegion().info().offset()).isEqualTo((long) VfioIoctls.PCI_CONFIG_REGION_INDEX << 40);
            }
        }
    }

    @Test
    void vfioVirtualizesBarsAndDropsIdWrites() {
        PciFunction f = RealKernel.cdevFunction();
        try (LinuxIommufd iommufd = host.openIommufd(); LinuxVfioDevice dev = host.openDevice(f.address())) {
            dev.bind(iommufd);
            int bar0 = dev.config().read(0x10, 4);
            dev.config().write(0x10, 4, 0xFFFF_FFFF);
            int sized = dev.config().read(0x10, 4);
            assertThat(sized).as("BAR0 sizing through vfio").isNotEqualTo(0xFFFF_FFFF);
            dev.config().write(0x10, 4, bar0);
            assertThat(dev.config().read(0x10, 4)).isEqualTo(bar0);
            dev.config().write(0, 2, 0x1234);
            assertThat(dev.config().read(0, 2)).as("vendor ID write dropped").isEqualTo(f.vendor());
        }
    }

    @Test
    void concurrentReadsAgree() {
        PciFunction f = RealKernel.cdevFunction();
        try (LinuxIommufd iommufd = host.openIommufd(); LinuxVfioDevice dev = host.openDevice(f.address())) {
            dev.bind(iommufd);
            ConfigSpace expected = dev.readConfig();
            List<CompletableFuture<Void>> readers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                readers.add(CompletableFuture.runAsync(() -> {
                    for (int round = 0; round < 2; round++) {
                        for (int off = 0; off < 0x40; off += 4) {
                            if (off >= 0x10 && off < 0x28 || off == 0x30) {
                                continue; // BARs and ROM: another test may be sizing them
                            }
                            assertThat(dev.config().read(off, 4)).isEqualTo(expected.u32(off));
                        }
                    }
                }));
            }
            readers.forEach(CompletableFuture::join);
        }
    }

    @Test
    void ioasMapsAndUnmapsARealBuffer() {
        PciFunction f = RealKernel.cdevFunction();
        try (LinuxIommufd iommufd = host.openIommufd(); LinuxVfioDevice dev = host.openDevice(f.address());
                Arena arena = Arena.ofConfined()) {
            dev.bind(iommufd);
            int ioas = iommufd.allocIoas();
            MemorySegment page = arena.allocate(4096, 4096);
            assertThat(iommufd.map(ioas, page, 0x10_0000L)).isEqualTo(0x10_0000L);
            HostException twice = catchThrowableOfType(HostException.class, () -> iommufd.map(ioas, page, 0x10_0000L));
            assertThat(twice.errno()).as("FIXED_IOVA over a mapping").isEqualTo(Errno.EEXIST);
            assertThat(iommufd.unmap(ioas, 0x10_0000L, 4096)).isEqualTo(4096);
            HostException gone = catchThrowableOfType(HostException.class, () -> iommufd.unmap(ioas, 0x10_0000L, 4096));
            assertThat(gone.errno()).isEqualTo(Errno.ENOENT);
            iommufd.destroy(ioas);
            assertThat(catchThrowableOfType(HostException.class, () -> iommufd.destroy(ioas)).errno())
                    .isEqualTo(Errno.ENOENT);
        }
    }

    @Test
    void pasidAttachFollowsWhatTheBindProbeFound() {
        PciFunction f = RealKernel.cdevFunction();
        try (LinuxIommufd iommufd = host.openIommufd(); LinuxVfioDevice dev = host.openDevice(f.address())) {
            int devId = dev.bind(iommufd);
            int ioas = iommufd.allocIoas();
            boolean pasid = dev.pasidAttach() == LinuxVfioDevice.PasidAttach.SUPPORTED;
            HwptAlloc compatible = HwptAlloc.paging(devId, ioas, HwptAlloc.PASID);
            if (!pasid) {
                assertThat(catchThrowableOfType(HostException.class, () -> iommufd.allocHwpt(compatible)).errno())
                        .as("ALLOC_PASID on a kernel without PASID attach").isEqualTo(Errno.EOPNOTSUPP);
                int plain = iommufd.allocHwpt(HwptAlloc.paging(devId, ioas, 0));
                assertThat(dev.attachPt(plain)).isEqualTo(plain);
                HostException e = catchThrowableOfType(HostException.class, () -> dev.attachPasidPt(1, plain));
                assertThat(e.errno()).as("the PASID flag is unknown").isEqualTo(Errno.EINVAL);
                dev.detachPt();
                iommufd.destroy(plain);
                iommufd.destroy(ioas);
                return;
            }
            int a = iommufd.allocHwpt(compatible);
            int b = iommufd.allocHwpt(compatible);
            assertThat(dev.attachPt(a)).isEqualTo(a);
            assertThat(dev.attachPasidPt(1, a)).isEqualTo(a);
            assertThat(dev.attachPasidPt(1, b)).as("replace").isEqualTo(b);
            assertThat(catchThrowableOfType(HostException.class, () -> iommufd.destroy(b)).errno())
                    .as("destroy of an attached HWPT").isEqualTo(Errno.EBUSY);
            dev.detachPasidPt(1);
            dev.detachPasidPt(5); // never attached: silent
            dev.detachPt();
            iommufd.destroy(b);
            iommufd.destroy(a);
            iommufd.destroy(ioas);
        }
    }

    @Test
    void noDescriptorIsLeftBehindOnFailingPaths() {
        PciFunction f = RealKernel.cdevFunction();
        long before = OpenFds.count();
        for (int i = 0; i < 5; i++) {
            try (LinuxIommufd iommufd = host.openIommufd(); LinuxVfioDevice dev = host.openDevice(f.address())) {
                catchThrowableOfType(HostException.class, dev::info);
                dev.bind(iommufd);
                catchThrowableOfType(HostException.class, () -> dev.bind(iommufd));
                catchThrowableOfType(HostException.class, () -> iommufd.destroy(999));
                int q = iommufd.allocFaultQueue();
                assertThat(q).isPositive();
            }
            catchThrowableOfType(HostException.class, () -> LinuxIommufd.open("/nonexistent/iommu"));
        }
        assertThat(OpenFds.count()).isEqualTo(before);
    }

    @Test
    void msixThroughSetIrqsShowsInTheConfigRegion() {
        PciFunction f = RealKernel.vfioFunctions().stream().filter(p -> p.vfioDevice() != null)
                .filter(p -> hasMsix(p)).findFirst().orElse(null);
        RealKernel.check(f != null, "no vfio-pci function with MSI-X");
        try (LinuxIommufd iommufd = host.openIommufd(); LinuxVfioDevice dev = host.openDevice(f.address())) {
            dev.bind(iommufd);
            int msix = findCap(dev, 0x11);
            assertThat(dev.irqInfo(VfioIoctls.PCI_MSIX_IRQ_INDEX).count()).isPositive();
            try (IrqEventfds irqs = dev.enableIrqs(VfioIoctls.PCI_MSIX_IRQ_INDEX, 1)) {
                assertThat(irqs.count()).isEqualTo(1);
                assertThat(dev.config().read(msix + 2, 2) & 0x8000).as("MSI-X Enable").isEqualTo(0x8000);
                assertThat(irqs.drain(0)).isNotNegative();
            }
            assertThat(dev.config().read(msix + 2, 2) & 0x8000).as("disabled again").isZero();
        }
    }

    @Test
    void resetWorksWhereGetInfoSaysSo() {
        PciFunction f = RealKernel.cdevFunction();
        try (LinuxIommufd iommufd = host.openIommufd(); LinuxVfioDevice dev = host.openDevice(f.address())) {
            dev.bind(iommufd);
            if (dev.info().resetSupported()) {
                dev.reset();
            } else {
                assertThat(catchThrowableOfType(HostException.class, dev::reset).errno()).isEqualTo(Errno.EINVAL);
            }
            System.out.printf("%s: VFIO_DEVICE_RESET %s%n", f.address(), dev.info().resetSupported() ? "ok" : "EINVAL");
        }
    }

    @Test
    void theLegacyGroupApiReadsTheSameConfigRegion() {
        PciFunction f = RealKernel.cdevFunction();
        RealKernel.check(host.hasVfioContainer(), "no /dev/vfio/vfio: this kernel has no vfio group API");
        ConfigSpace viaCdev;
        try (LinuxIommufd iommufd = host.openIommufd(); LinuxVfioDevice dev = host.openDevice(f.address())) {
            dev.bind(iommufd);
            viaCdev = dev.readConfig();
        }
        long before = OpenFds.count();
        try (LegacyVfio legacy = host.openLegacy(f.address()); LinuxIommufd iommufd = host.openIommufd()) {
            assertThat(legacy.device().readConfig().toByteArray()).isEqualTo(viaCdev.toByteArray());
            HostException e = catchThrowableOfType(HostException.class, () -> legacy.device().bind(iommufd));
            assertThat(e.errno()).as("BIND_IOMMUFD is for cdev fds only").isEqualTo(Errno.EINVAL);
        }
        assertThat(OpenFds.count()).isEqualTo(before);
    }

    private static boolean hasMsix(PciFunction f) {
        try {
            byte[] c = Files.readAllBytes(Path.of("/sys/bus/pci/devices", f.address().toString(), "config"));
            for (int p = c[0x34] & 0xFC, n = 0; p != 0 && n < 48; p = c[p + 1] & 0xFC, n++) {
                if ((c[p] & 0xFF) == 0x11) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private static int findCap(LinuxVfioDevice dev, int id) {
        for (int p = dev.config().read(0x34, 1) & 0xFC, n = 0; p != 0 && n < 48; n++) {
            if (dev.config().read(p, 1) == id) {
                return p;
            }
            p = dev.config().read(p + 1, 1) & 0xFC;
        }
        throw new AssertionError("capability " + id + " not found");
    }
}
