package dev.vcap.kernel.e2e;

import dev.vcap.host.HwInfo;
import dev.vcap.host.HwptAlloc;
import dev.vcap.host.Iommufd;
import java.util.ArrayList;
import java.util.List;

/**
 * The real iommufd as the VMM uses it, with two additions for the end-to-end test: every object ID
 * the VMM allocates is recorded (the leak check asks the kernel about each afterwards), and
 * IOMMU_GET_HW_INFO answers {@code out_max_pasid_log2} {@code hostWidth} where the kernel answers 0.
 *
 * <p>Why the width: no emulated device of QEMU 7.2 has a PASID capability, so the kernel reports 0
 * for all of them, and a VMM that follows GET_HW_INFO never offers the guest PASID — no bind would
 * ever reach the kernel. Linux 7.3.4 attaches PASIDs to such a device all the same (the IOMMU core
 * keeps them as bookkeeping, {@code __iommu_set_group_pasid} skips devices without PASID), so with the
 * width supplied here every bind is a real VFIO_DEVICE_ATTACH_IOMMUFD_PT with
 * VFIO_DEVICE_ATTACH_PASID that the kernel answers. Every other call goes to the kernel unchanged.
 */
final class RecordingIommufd implements Iommufd {

    private final Iommufd kernel;
    private final int hostWidth;
    private final List<Integer> allocated = new ArrayList<>();

    RecordingIommufd(Iommufd kernel, int hostWidth) {
        this.kernel = kernel;
        this.hostWidth = hostWidth;
    }

    private synchronized int record(int id) {
        allocated.add(id);
        return id;
    }

    /** Every object ID the VMM allocated, in order. */
    synchronized List<Integer> allocated() {
        return List.copyOf(allocated);
    }

    @Override
    public int allocIoas() {
        return record(kernel.allocIoas());
    }

    @Override
    public int allocHwpt(HwptAlloc request) {
        return record(kernel.allocHwpt(request));
    }

    @Override
    public int allocFaultQueue() {
        return record(kernel.allocFaultQueue());
    }

    @Override
    public HwInfo getHwInfo(int devId) {
        HwInfo h = kernel.getHwInfo(devId);
        return h.maxPasidLog2() != 0 ? h : new HwInfo(h.dataType(), h.dataLen(), hostWidth, h.capabilities());
    }

    @Override
    public void destroy(int id) {
        kernel.destroy(id);
    }

    @Override
    public void close() {
        kernel.close();
    }
}
