package dev.vcap.host.vfio;

/**
 * What a {@link PasidOption} decided for one device: the offset of the PASID capability vfio
 * shows, or none, and why.
 *
 * @param option the option applied
 * @param offset where the emulated capability is, or -1
 * @param reason one sentence: where it came from, or why it is not shown
 */
public record PasidExposure(PasidOption option, int offset, String reason) {

    public boolean exposed() {
        return offset >= 0;
    }

    static PasidExposure none(PasidOption option, String reason) {
        return new PasidExposure(option, -1, reason);
    }
}
