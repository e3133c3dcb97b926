package dev.vcap.vmm.placement;

/**
 * Candidates a policy considered and turned down, with why. Consecutive candidate offsets turned
 * down for the same reason are one rejection ({@code first}..{@code last}, every 4 bytes).
 *
 * @param policy the policy that considered them
 * @param first  the first candidate offset, or -1 when the rejection is not about an offset
 * @param last   the last candidate offset of the run (== first for one candidate)
 * @param reason why they lost
 */
public record Rejection(String policy, int first, int last, String reason) {

    public static Rejection of(String policy, String reason) {
        return new Rejection(policy, -1, -1, reason);
    }

    public boolean hasOffset() {
        return first >= 0;
    }

    @Override
    public String toString() {
        String where = !hasOffset() ? "" : first == last ? String.format("0x%03x: ", first)
                : String.format("0x%03x..0x%03x: ", first, last);
        return policy + " " + where + reason;
    }
}
