package dev.vcap.kernel.e2e;

import dev.vcap.host.ConfigRegion;
import dev.vcap.host.Host;
import dev.vcap.host.Iommufd;
import dev.vcap.host.VfioDevice;
import dev.vcap.linux.LinuxHost;
import dev.vcap.linux.LinuxIommufd;
import dev.vcap.pci.config.PciAddress;
import java.util.List;

/**
 * The Linux host as the VMM sees it in the end-to-end test: its devices bind to the real
 * {@link LinuxIommufd} behind a {@link RecordingIommufd} (the Linux backend binds only to its own
 * iommufd); every call is the backend's.
 */
final class RecordingHost implements Host {

    private final LinuxHost host;
    private final LinuxIommufd kernel;

    RecordingHost(LinuxHost host, LinuxIommufd kernel) {
        this.host = host;
        this.kernel = kernel;
    }

    @Override
    public List<PciAddress> devices() {
        return host.devices();
    }

    @Override
    public VfioDevice openDevice(PciAddress address) {
        VfioDevice d = host.openDevice(address);
        return new VfioDevice() {
            @Override
            public PciAddress address() {
                return d.address();
            }

            @Override
            public ConfigRegion config() {
                return d.config();
            }

            @Override
            public int bind(Iommufd iommufd) {
                return d.bind(kernel);
            }

            @Override
            public boolean pasidOpsSupported() {
                return d.pasidOpsSupported();
            }

            @Override
            public boolean pasidFlagKnown() {
                return d.pasidFlagKnown();
            }

            @Override
            public int attachPt(int ptId) {
                return d.attachPt(ptId);
            }

            @Override
            public int attachPasidPt(int pasid, int ptId) {
                return d.attachPasidPt(pasid, ptId);
            }

            @Override
            public void detachPt() {
                d.detachPt();
            }

            @Override
            public void detachPasidPt(int pasid) {
                d.detachPasidPt(pasid);
            }

            @Override
            public void reset() {
                d.reset();
            }

            @Override
            public void close() {
                d.close();
            }
        };
    }

    @Override
    public Iommufd openIommufd() {
        throw new UnsupportedOperationException("the test opens the iommufd itself");
    }
}
