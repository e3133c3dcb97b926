package dev.vcap.host;

import java.util.Objects;

/**
 * A host call failed the way the kernel would fail it: the {@link Errno} the ioctl returns and the
 * {@link Rule} that produced it. Unchecked, because every host call can fail and the caller's
 * handling is almost always "report it"; callers that branch on the cause use {@link #errno()} or
 * {@link #rule()}.
 */
public final class HostException extends RuntimeException {

    private final transient Rule rule;

    public HostException(Rule rule, String detail) {
        super(rule.errno() + " (" + rule.name() + "): " + detail);
        this.rule = Objects.requireNonNull(rule, "rule");
    }

    /** The errno the kernel returns for this failure. */
    public Errno errno() {
        return rule.errno();
    }

    /** The rule that failed. */
    public Rule rule() {
        return rule;
    }
}
