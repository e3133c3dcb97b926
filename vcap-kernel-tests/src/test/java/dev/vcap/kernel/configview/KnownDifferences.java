package dev.vcap.kernel.configview;

import static dev.vcap.host.PciRegs.MSI_FLAGS;
import static dev.vcap.host.PciRegs.MSI_FLAGS_ENABLE;

import java.util.List;

/**
 * The differences between vcap's model of vfio-pci and the real one that are understood, each with
 * the kernel function behind it (docs/LINUX.md, "Model versus kernel", lists the same).
 */
final class KnownDifferences {

    private KnownDifferences() {
    }

    static List<KnownDifference> of(ConfigViewKernelTest.Layout l) {
        return List.of(new KnownDifference("MSI Enable while MSI is enabled through SET_IRQS",
                "drivers/vfio/pci/vfio_pci_config.c vfio_msi_config_write",
                "vfio clears a written MSI Enable only while its irq_type is not MSI; once the user enabled MSI"
                        + " through VFIO_DEVICE_SET_IRQS a written Enable stays in vconfig and goes to the device."
                        + " The host contract has no interrupt calls, so the model is always at irq_type NONE and"
                        + " clears it.",
                d -> l.msi != 0 && d.mask() == (d.kind() == ViewDifference.Kind.VIEW ? MSI_FLAGS_ENABLE << 16
                        : MSI_FLAGS_ENABLE) && d.offset() == (d.kind() == ViewDifference.Kind.VIEW ? l.msi
                        : l.msi + MSI_FLAGS)));
    }
}
