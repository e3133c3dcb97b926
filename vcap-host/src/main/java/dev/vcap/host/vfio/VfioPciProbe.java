package dev.vcap.host.vfio;

import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.Header;
import java.util.Optional;

/**
 * What vfio-pci's probe checks about a function's config space before it binds it:
 * {@code vfio_pci_probe} → {@code vfio_pci_core_register_device} returns EINVAL for any header
 * type but 0 ({@code pdev->hdr_type != PCI_HEADER_TYPE_NORMAL}, the type without its multi-function
 * bit). Root ports, switch ports and PCI bridges (type 1) and CardBus bridges (type 2) cannot be
 * assigned to a VM; no vfio config region exists for them.
 */
public final class VfioPciProbe {

    private VfioPciProbe() {
    }

    /** Why vfio-pci refuses to bind a function with these bytes, or empty when it binds it. */
    public static Optional<String> refusal(ConfigSpace cs) {
        int type = Header.type(cs);
        if (type == Header.TYPE_NORMAL) {
            return Optional.empty();
        }
        String what = switch (type) {
            case Header.TYPE_BRIDGE -> "a PCI-to-PCI bridge: a root port, switch port or bridge";
            case Header.TYPE_CARDBUS -> "a CardBus bridge";
            default -> "an unknown layout";
        };
        return Optional.of(String.format("vfio-pci binds only type 0 functions: vfio_pci_core_register_device"
                + " refuses header type %d (%s) with EINVAL, so it cannot be assigned to a VM", type, what));
    }
}
