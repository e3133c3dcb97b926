package dev.vcap.host.sim;

import dev.vcap.host.HwptAlloc;
import dev.vcap.host.testing.Devices;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.PciAddress;

/** A host with one bound device and an IOAS, for rule tests. */
final class Rig implements AutoCloseable {

    final SimHost host;
    final SimIommufd fd;
    final SimVfioDevice dev;
    final int devId;
    final int ioas;

    Rig(SimHost host, PciAddress address) {
        this.host = host;
        this.fd = host.openIommufd();
        this.dev = host.openDevice(address);
        this.devId = dev.bind(fd);
        this.ioas = fd.allocIoas();
    }

    static Rig of(ConfigSpace cs) {
        return new Rig(SimHost.builder().function(Devices.PF, cs).build(), Devices.PF);
    }

    /** A host with the SR-IOV PF and {@code vfs} VFs; the rig's device is the first VF. */
    static Rig firstVf(ConfigSpace pf, int vfs) {
        SimHost host = SimHost.builder().function(Devices.PF, pf).build();
        PciAddress vf = host.enableVfs(Devices.PF, vfs).getFirst();
        return new Rig(host, vf);
    }

    /** A paging HWPT on the rig's IOAS. */
    int hwpt(int flags) {
        return fd.allocHwpt(HwptAlloc.paging(devId, ioas, flags));
    }

    /** A PASID-compatible paging HWPT. */
    int pasidHwpt() {
        return hwpt(HwptAlloc.PASID);
    }

    /** A fault-capable paging HWPT. */
    int faultHwpt(int flags) {
        return fd.allocHwpt(HwptAlloc.pagingWithFault(devId, ioas, flags, fd.allocFaultQueue()));
    }

    /** The IOMMU's entry for a PASID (0: the RID). */
    int hw(int pasid) {
        return pasid == 0 ? dev.iommuDevice().ridDomain() : dev.iommuDevice().pasidDomain(pasid);
    }

    @Override
    public void close() {
        dev.close();
        fd.close();
    }
}
