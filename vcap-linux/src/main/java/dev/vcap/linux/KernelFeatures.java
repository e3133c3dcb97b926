package dev.vcap.linux;

import dev.vcap.host.Errno;
import dev.vcap.host.HostException;
import dev.vcap.host.HwptAlloc;
import dev.vcap.linux.sysfs.PciFunction;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;

/**
 * What this kernel can do for PASID passthrough, found by behaviour, never from the version string:
 * each feature is tried and the kernel's answer read. Where an answer needs a bound device (PASID
 * attach, HWPT ALLOC_PASID), one vfio-pci function is bound, probed and unbound; nothing is attached.
 *
 * @param iommufd        {@code /dev/iommu} opens
 * @param vfioCdev       {@code /dev/vfio/devices} exists (vfio device files bound with iommufd)
 * @param vfioGroup      {@code /dev/vfio/vfio} exists (the legacy container API)
 * @param pasidAttach    VFIO_DEVICE_ATTACH/DETACH_IOMMUFD_PT take VFIO_DEVICE_*_PASID (Linux 6.15)
 * @param hwptAllocPasid IOMMU_HWPT_ALLOC takes IOMMU_HWPT_ALLOC_PASID (Linux 6.15)
 */
public record KernelFeatures(Feature iommufd, Feature vfioCdev, Feature vfioGroup, Feature pasidAttach,
        Feature hwptAllocPasid) {

    public List<Feature> all() {
        return List.of(iommufd, vfioCdev, vfioGroup, pasidAttach, hwptAllocPasid);
    }

    /** Probes the host: files first, then, when a vfio-pci function can be bound, the ioctls. */
    public static KernelFeatures probe(LinuxHost host) {
        Feature iommufd = iommufd(host);
        Feature cdev = host.hasVfioCdev() ? Feature.yes("vfio_cdev", host.devRoot().resolve("vfio/devices") + " exists")
                : Feature.no("vfio_cdev", "no " + host.devRoot().resolve("vfio/devices") + ": vfio device files are not"
                        + " built (CONFIG_VFIO_DEVICE_CDEV, Linux 6.6) or vfio is not loaded (modprobe vfio-pci)");
        Feature group = host.hasVfioContainer() ? Feature.yes("vfio_group", host.devRoot().resolve("vfio/vfio") + " exists")
                : Feature.no("vfio_group", "no " + host.devRoot().resolve("vfio/vfio") + ": the vfio container is not"
                        + " built (CONFIG_VFIO_GROUP) or vfio is not loaded (modprobe vfio-pci)");
        Optional<PciFunction> target = host.vfioFunctions().stream().filter(f -> f.vfioDevice() != null).findFirst();
        if (!iommufd.present() || target.isEmpty()) {
            String why = !iommufd.present() ? "needs iommufd" : "needs a function bound to vfio-pci with a vfio"
                    + " device file, and there is none";
            return new KernelFeatures(iommufd, cdev, group, Feature.unknown("pasid_attach", "not probed: " + why),
                    Feature.unknown("hwpt_alloc_pasid", "not probed: " + why));
        }
        return probeWith(host, target.get(), iommufd, cdev, group);
    }

    private static KernelFeatures probeWith(LinuxHost host, PciFunction f, Feature iommufd, Feature cdev,
            Feature group) {
        String on = " (probed on " + f.address() + ")";
        try (LinuxIommufd fd = host.openIommufd(); LinuxVfioDevice dev = host.openDevice(f.address())) {
            int devId = dev.bind(fd);
            Feature attach = pasidAttach(dev.pasidAttach(), f.driver(), on);
            int ioas = fd.allocIoas();
            try {
                Optional<Errno> plain = outcome(() -> fd.destroy(fd.allocHwpt(HwptAlloc.paging(devId, ioas, 0))));
                Optional<Errno> pasid = outcome(() -> fd.destroy(fd.allocHwpt(HwptAlloc.paging(devId, ioas,
                        HwptAlloc.PASID))));
                return new KernelFeatures(iommufd, cdev, group, attach, hwptAllocPasid(plain, pasid, on));
            } finally {
                fd.destroy(ioas);
            }
        } catch (HostException e) {
            String why = "not probed: binding " + f.address() + " failed: " + e.getMessage();
            return new KernelFeatures(iommufd, cdev, group, Feature.unknown("pasid_attach", why),
                    Feature.unknown("hwpt_alloc_pasid", why));
        }
    }

    static Feature iommufd(LinuxHost host) {
        String path = host.iommuPath().toString();
        if (!Files.exists(host.iommuPath())) {
            return Feature.no("iommufd", "no " + path + ": iommufd is not built (CONFIG_IOMMUFD) or not loaded"
                    + " (modprobe iommufd)");
        }
        try (LinuxIommufd _ = host.openIommufd()) {
            return Feature.yes("iommufd", path + " opens");
        } catch (HostException e) {
            return Feature.unknown("iommufd", path + " exists but does not open: " + e.errno()
                    + (e.errno() == Errno.EACCES || e.errno() == Errno.EPERM ? " (run as root, or give this user the"
                            + " device file)" : ""));
        }
    }

    /**
     * The PASID-attach answer of {@link LinuxVfioDevice}'s bind probe (a PASID-flagged detach of a
     * PASID nothing attached).
     */
    static Feature pasidAttach(LinuxVfioDevice.PasidAttach probe, String driver, String on) {
        return switch (probe) {
            case SUPPORTED -> Feature.yes("pasid_attach", "VFIO_DEVICE_DETACH_IOMMUFD_PT with VFIO_DEVICE_DETACH_PASID"
                    + " succeeded" + on);
            case FLAG_UNKNOWN -> Feature.no("pasid_attach", "this kernel has no vfio PASID attach (Linux < 6.15):"
                    + " VFIO_DEVICE_DETACH_PASID is EINVAL, an unknown flag, while the same detach without it"
                    + " succeeds" + on);
            case NO_DRIVER_OPS -> Feature.no("pasid_attach", "the kernel knows VFIO_DEVICE_DETACH_PASID but " + driver
                    + " has no PASID ops (EOPNOTSUPP)" + on);
            case NOT_PROBED -> Feature.unknown("pasid_attach", "not probed: the device was not bound" + on);
        };
    }

    /**
     * IOMMU_HWPT_ALLOC_PASID by what two allocations on the same IOAS answered: without the flag and
     * with it (empty: success).
     */
    static Feature hwptAllocPasid(Optional<Errno> plain, Optional<Errno> pasid, String on) {
        if (pasid.isEmpty()) {
            return Feature.yes("hwpt_alloc_pasid", "IOMMU_HWPT_ALLOC with IOMMU_HWPT_ALLOC_PASID succeeded" + on);
        }
        if (plain.isPresent()) {
            return Feature.unknown("hwpt_alloc_pasid", "IOMMU_HWPT_ALLOC fails even without flags (" + plain.get()
                    + "), so IOMMU_HWPT_ALLOC_PASID (" + pasid.get() + ") says nothing" + on);
        }
        if (pasid.get() == Errno.EOPNOTSUPP) {
            return Feature.no("hwpt_alloc_pasid", "IOMMU_HWPT_ALLOC_PASID is EOPNOTSUPP while the same allocation"
                    + " without it succeeds: the kernel does not know the flag (Linux < 6.15) or the IOMMU driver"
                    + " cannot make PASID-capable domains" + on);
        }
        return Feature.no("hwpt_alloc_pasid", "IOMMU_HWPT_ALLOC_PASID is " + pasid.get() + " while the same"
                + " allocation without it succeeds" + on);
    }

    private static Optional<Errno> outcome(Runnable call) {
        try {
            call.run();
            return Optional.empty();
        } catch (HostException e) {
            return Optional.of(e.errno());
        }
    }
}
