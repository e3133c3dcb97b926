package dev.vcap.kernel.uapi;

import dev.vcap.host.HostException;
import dev.vcap.host.sim.SimHost;
import dev.vcap.host.sim.SimIommufd;
import dev.vcap.host.sim.SimVfioDevice;
import dev.vcap.host.uapi.UapiIoctls;
import dev.vcap.pci.config.PciAddress;
import java.lang.foreign.MemorySegment;
import java.util.function.IntSupplier;

/** The simulation, configured like the kernel's host: the same ioctls through {@link UapiIoctls}. */
final class SimTarget implements UapiTarget {

    private final SimIommufd iommufd;
    private final SimVfioDevice device;

    SimTarget(SimHost host, PciAddress address) {
        this.iommufd = host.openIommufd();
        this.device = host.openDevice(address);
    }

    private static int call(IntSupplier s) {
        try {
            return s.getAsInt();
        } catch (HostException e) {
            return -e.errno().value();
        }
    }

    @Override
    public int bind() {
        return call(() -> device.bind(iommufd));
    }

    @Override
    public int ioasAlloc() {
        return call(iommufd::allocIoas);
    }

    @Override
    public int hwptAlloc(MemorySegment arg) {
        return call(() -> {
            UapiIoctls.hwptAlloc(iommufd, arg);
            return 0;
        });
    }

    @Override
    public int attach(MemorySegment arg) {
        return call(() -> {
            UapiIoctls.attachIommufdPt(device, arg);
            return 0;
        });
    }

    @Override
    public int detach(MemorySegment arg) {
        return call(() -> {
            UapiIoctls.detachIommufdPt(device, arg);
            return 0;
        });
    }

    @Override
    public int destroy(int id) {
        return call(() -> {
            iommufd.destroy(id);
            return 0;
        });
    }

    /** Objects still alive in the simulated iommufd (its leak check). */
    int objects() {
        return iommufd.objectCount();
    }

    @Override
    public void closeDevice() {
        device.close();
    }

    @Override
    public void close() {
        device.close();
        iommufd.close();
    }
}
