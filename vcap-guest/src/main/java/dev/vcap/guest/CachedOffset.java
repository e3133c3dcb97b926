package dev.vcap.guest;

/** One offset the guest cached at probe: which field, and where. */
public record CachedOffset(CachedField field, int offset) {

    @Override
    public String toString() {
        return String.format("%s=0x%x", field.kernelName(), offset);
    }
}
