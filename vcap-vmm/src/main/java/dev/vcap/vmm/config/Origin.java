package dev.vcap.vmm.config;

/** Where a capability the guest sees comes from. */
public enum Origin {
    /** The device's own capability, at its physical offset, read through the host's config region. */
    PHYSICAL,
    /** The device's own capability, at its physical offset, but served by the VMM (e.g. Resizable BAR). */
    VIRTUALIZED,
    /** Built by the VMM from what the host and the vIOMMU support (PASID, PRI, ATS). */
    SYNTHESIZED,
    /** Purely virtual, with no physical counterpart (e.g. NVIDIA's GPUDirect clique capability). */
    VIRTUAL;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
