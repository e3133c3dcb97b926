package dev.vcap.kernel.configview;

import dev.vcap.host.ConfigRegion;
import dev.vcap.host.vfio.VfioPciBackend;
import dev.vcap.kernel.SysfsConfig;
import dev.vcap.linux.sysfs.PciFunction;

/**
 * vcap's {@link VfioPciBackend} over a real function: the device through {@link LiveHardware}, the
 * PCI core's identity from sysfs, the resources sysfs {@code resource} lists. The functions here are
 * PFs (QEMU's endpoints), so the PF's registers are the function's own.
 */
final class LiveBackend implements VfioPciBackend {

    private final PciFunction function;
    private final LiveHardware hw;
    private final Resource[] resources;
    private final int pasidWidth;
    private final boolean intxMask;

    /**
     * @param intxMask whether the device's INTx Disable toggles ({@link SysfsConfig#intxMaskSupported}),
     *                 probed before the model is built
     */
    LiveBackend(PciFunction function, LiveHardware hw, int pasidWidth, boolean intxMask) {
        this.function = function;
        this.hw = hw;
        this.resources = SysfsConfig.resources(function.address());
        this.pasidWidth = pasidWidth;
        this.intxMask = intxMask;
    }

    @Override
    public boolean intxMaskSupported() {
        return intxMask;
    }

    @Override
    public ConfigRegion hardware() {
        return hw;
    }

    @Override
    public ConfigRegion physfnHardware() {
        return hw;
    }

    @Override
    public boolean isVirtfn() {
        return function.isVf();
    }

    @Override
    public int vendor() {
        return function.vendor();
    }

    @Override
    public int device() {
        return function.device();
    }

    @Override
    public Resource[] resources() {
        return resources.clone();
    }

    @Override
    public void resetFunction() {
        hw.noteReset();
    }

    @Override
    public void setPowerState(int state) {
        hw.notePowerState(state);
    }

    @Override
    public int pasidWidth() {
        return pasidWidth;
    }
}
