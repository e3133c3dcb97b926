package dev.vcap.host.uapi;

import dev.vcap.host.HwInfo;
import dev.vcap.host.HwptAlloc;
import dev.vcap.host.Iommufd;
import dev.vcap.host.VfioDevice;
import java.lang.foreign.MemorySegment;

/**
 * The four ioctls at the byte level: each takes the user's argument buffer, applies the kernel's
 * argument rules (through the codecs), calls the contract, and writes the outputs back. This is the
 * path a real ioctl backend's callers take; the typed contract is the same calls without the bytes.
 */
public final class UapiIoctls {

    private UapiIoctls() {
    }

    /** VFIO_DEVICE_ATTACH_IOMMUFD_PT. */
    public static void attachIommufdPt(VfioDevice device, MemorySegment arg) {
        VfioDeviceAttachIommufdPt.Args a = VfioDeviceAttachIommufdPt.decode(arg,
                device.pasidFlagKnown() ? VfioDeviceAttachIommufdPt.FLAG_PASID : 0, device.pasidOpsSupported());
        int hwpt = a.hasPasid() ? device.attachPasidPt(a.pasid(), a.ptId()) : device.attachPt(a.ptId());
        VfioDeviceAttachIommufdPt.writePtId(arg, hwpt);
    }

    /** VFIO_DEVICE_DETACH_IOMMUFD_PT. */
    public static void detachIommufdPt(VfioDevice device, MemorySegment arg) {
        VfioDeviceDetachIommufdPt.Args a = VfioDeviceDetachIommufdPt.decode(arg,
                device.pasidFlagKnown() ? VfioDeviceDetachIommufdPt.FLAG_PASID : 0, device.pasidOpsSupported());
        if (a.hasPasid()) {
            device.detachPasidPt(a.pasid());
        } else {
            device.detachPt();
        }
    }

    /** IOMMU_GET_HW_INFO. */
    public static void getHwInfo(Iommufd iommufd, MemorySegment arg) {
        IommuHwInfo.Request r = IommuHwInfo.decode(arg);
        HwInfo info = iommufd.getHwInfo(r.devId());
        IommuHwInfo.respond(arg, r, info);
    }

    /** IOMMU_HWPT_ALLOC. */
    public static void hwptAlloc(Iommufd iommufd, MemorySegment arg) {
        HwptAlloc r = IommuHwptAlloc.decode(arg);
        IommuHwptAlloc.respond(arg, iommufd.allocHwpt(r));
    }
}
