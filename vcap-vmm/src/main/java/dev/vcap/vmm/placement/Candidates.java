package dev.vcap.vmm.placement;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects rejected candidate offsets, merging consecutive ones (4 bytes apart) that lost for the
 * same reason, so a decision record lists every candidate without listing each one.
 */
final class Candidates {

    private static final java.util.regex.Pattern AT_OFFSET = java.util.regex.Pattern.compile("^(\\d+) bytes at 0x[0-9a-f]+ ");

    private final String policy;
    private final List<Rejection> out = new ArrayList<>();
    private int first = -1;
    private int last = -1;
    private String reason;

    Candidates(String policy) {
        this.policy = policy;
    }

    void reject(int offset, String message) {
        // the run names the offsets: drop the one in the editor's message so that neighbours that
        // lost to the same capability merge ("8 bytes at 0x120 would overlap X" -> "8 bytes would overlap X")
        String why = AT_OFFSET.matcher(message).replaceFirst("$1 bytes ");
        if (reason != null && why.equals(reason) && offset == last + 4) {
            last = offset;
            return;
        }
        flush();
        first = offset;
        last = offset;
        reason = why;
    }

    void note(String why) {
        flush();
        out.add(Rejection.of(policy, why));
    }

    List<Rejection> done() {
        flush();
        return List.copyOf(out);
    }

    private void flush() {
        if (reason != null) {
            out.add(new Rejection(policy, first, last, reason));
            reason = null;
        }
    }
}
