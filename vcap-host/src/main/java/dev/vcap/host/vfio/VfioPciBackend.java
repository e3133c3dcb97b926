package dev.vcap.host.vfio;

import dev.vcap.host.ConfigRegion;

/**
 * What vfio-pci's config virtualization asks of the rest of the kernel for one function: raw
 * config access ({@code pci_user_read_config_*}), the PCI core's identity and resources, resets
 * and power state, and — for the PASID emulation options only — the IOMMU's PASID width.
 */
public interface VfioPciBackend {

    /** A BAR or ROM resource as the PCI core assigned it ({@code pci_resource_start/len/flags}). */
    record Resource(long start, long size, int flags) {

        /** BAR flag bits as in the register: I/O space. */
        public static final int IO = 0x1;
        /** 64-bit memory BAR. */
        public static final int MEM_64 = 0x4;
        /** Prefetchable memory BAR. */
        public static final int PREFETCH = 0x8;

        public static final Resource NONE = new Resource(0, 0, 0);

        public boolean present() {
            return start != 0 && size != 0;
        }
    }

    /** The function's registers as hardware answers (a VF's ID registers read 0xFFFF). */
    ConfigRegion hardware();

    /** The PF's registers: the function itself for a PF. */
    ConfigRegion physfnHardware();

    boolean isVirtfn();

    /** {@code pdev->vendor}: for a VF, the PF's vendor. */
    int vendor();

    /** {@code pdev->device}: for a VF, the PF's SR-IOV VF Device ID. */
    int device();

    /** BAR0..BAR5 and the expansion ROM (7 entries). */
    Resource[] resources();

    /**
     * {@code pci_intx_mask_supported}: the device's INTx Disable bit is writable (the PCI core
     * toggles it once at enumeration, {@code pci_intx_mask_broken}).
     */
    boolean intxMaskSupported();

    /** {@code pci_try_reset_function}: an FLR with the core's save and restore. */
    void resetFunction();

    /** {@code pci_set_power_state} with a PMCSR state (0 = D0 .. 3 = D3hot). */
    void setPowerState(int state);

    /** log2 of {@code dev->iommu->max_pasids}; 0 when the device cannot use PASID. */
    int pasidWidth();
}
