package dev.vcap.vmm.placement;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects rejected candidate offsets, merging consecutive ones (4 bytes apart) that lost for the
 * same reason, so a decision record lists every candidate without listing each one.
 */
final class Candidates {

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
        String why = withoutOffset(message);
        if (reason != null && why.equals(reason) && offset == last + 4) {
            last = offset;
            return;
        }
        flush();
        first = offset;
        last = offset;
        reason = why;
    }

    /**
     * Adds {@code offset} to the run ending 4 bytes below it, for a candidate refused for the same
     * cause as that run's last one, whose message would be the run's but for the offset; false
     * (nothing added) when no run ends there.
     */
    boolean extend(int offset) {
        if (reason == null || offset != last + 4) {
            return false;
        }
        last = offset;
        return true;
    }

    /**
     * Extends the open run through {@code offset}: every dword offset after its last one up to
     * {@code offset} was refused for the cause of the last, with the same message but for the offset.
     */
    void extendThrough(int offset) {
        if (reason == null || offset < last) {
            throw new IllegalStateException("no run ends at or below 0x" + Integer.toHexString(offset));
        }
        last = offset;
    }

    /**
     * {@code message} without the offset an editor's message starts with: {@code "N bytes at 0xHEX "}
     * becomes {@code "N bytes "}; any other message is kept whole. Placement rejects hundreds of
     * offsets per device, so this is a scan rather than a regular expression.
     */
    static String withoutOffset(String message) {
        int digits = 0;
        while (digits < message.length() && message.charAt(digits) >= '0' && message.charAt(digits) <= '9') {
            digits++;
        }
        String at = " bytes at 0x";
        if (digits == 0 || !message.startsWith(at, digits)) {
            return message;
        }
        int hex = digits + at.length();
        int end = hex;
        while (end < message.length() && (message.charAt(end) >= '0' && message.charAt(end) <= '9'
                || message.charAt(end) >= 'a' && message.charAt(end) <= 'f')) {
            end++;
        }
        if (end == hex || end >= message.length() || message.charAt(end) != ' ') {
            return message;
        }
        return message.substring(0, digits) + " bytes " + message.substring(end + 1);
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
