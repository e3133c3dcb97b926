package dev.vcap.vmm.synth;

/**
 * What one side supports for PASID: the host (from {@code IOMMU_GET_HW_INFO}: a
 * {@code out_max_pasid_log2} of 0 means no PASID, and EXEC/PRIV from the capability bits) or the
 * vIOMMU (whether it offers PASID to the guest, and its PASID width, e.g. SMMUv3 SSIDSIZE).
 *
 * @param width      PASID width in bits (0..20); 0 means no PASID
 * @param execute    Execute Permission supported
 * @param privileged Privileged Mode supported
 */
public record PasidSupport(int width, boolean execute, boolean privileged) {

    public static final int MAX_WIDTH = 20;
    public static final PasidSupport NONE = new PasidSupport(0, false, false);

    public PasidSupport {
        if (width < 0 || width > MAX_WIDTH) {
            throw new IllegalArgumentException("PASID width must be 0.." + MAX_WIDTH + ", got " + width);
        }
    }

    /**
     * What a PASID Capability register (PASID capability + 0x04) advertises: Max PASID Width
     * (bits 12:8, above 20 read as 20), Execute Permission Supported (bit 1) and Privileged Mode
     * Supported (bit 2).
     */
    public static PasidSupport ofCapability(int capabilityRegister) {
        return new PasidSupport(Math.min(MAX_WIDTH, capabilityRegister >>> Synthesizers.PASID_WIDTH_SHIFT & 0x1F),
                (capabilityRegister & Synthesizers.PASID_EXECUTE) != 0,
                (capabilityRegister & Synthesizers.PASID_PRIVILEGED) != 0);
    }

    public boolean supported() {
        return width > 0;
    }

    /**
     * What the guest may be offered: the smaller width, and each feature only when both sides have
     * it; {@link #NONE} when either side has no PASID.
     */
    public PasidSupport intersect(PasidSupport other) {
        if (!supported() || !other.supported()) {
            return NONE;
        }
        return new PasidSupport(Math.min(width, other.width), execute && other.execute, privileged && other.privileged);
    }
}
