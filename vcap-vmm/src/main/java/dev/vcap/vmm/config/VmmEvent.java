package dev.vcap.vmm.config;

/**
 * What a guest write to a synthesized control register, or to Initiate Function Level Reset,
 * means to the VMM. Nothing of these bits reaches the device: the VMM turns them into vIOMMU state
 * and host calls (PASID attach/detach, VFIO_DEVICE_RESET, and so on).
 */
public sealed interface VmmEvent {

    /** Offset of the capability the write landed in. */
    int capabilityOffset();

    /** PASID Control changed: Enable, Execute Permission Enable, Privileged Mode Enable. */
    record PasidControl(int capabilityOffset, boolean enabled, boolean execute, boolean privileged) implements VmmEvent {
    }

    /** ATS Control changed: Enable and Smallest Translation Unit (log2 of the size, minus 12). */
    record AtsControl(int capabilityOffset, boolean enabled, int smallestTranslationUnit) implements VmmEvent {
    }

    /** PRI Enable changed. */
    record PriControl(int capabilityOffset, boolean enabled) implements VmmEvent {
    }

    /** The guest wrote 1 to PRI Reset: outstanding requests are to be discarded. */
    record PriReset(int capabilityOffset) implements VmmEvent {
    }

    /** PRI Outstanding Page Request Allocation changed. */
    record PriAllocation(int capabilityOffset, int allocation) implements VmmEvent {
    }

    /**
     * The guest wrote 1 to Initiate Function Level Reset in the PCI Express Device Control of a
     * function whose Device Capabilities advertise FLR; {@code capabilityOffset} is the PCI Express
     * capability's.
     */
    record FunctionLevelReset(int capabilityOffset) implements VmmEvent {
    }
}
