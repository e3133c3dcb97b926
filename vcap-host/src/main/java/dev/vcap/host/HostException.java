package dev.vcap.host;

import java.util.Objects;
import java.util.Optional;

/**
 * A host call failed: the {@link Errno} the ioctl returns and either the {@link Rule} of the model
 * that produced it (the simulated host) or the call a real kernel refused (the Linux host, which
 * claims no rule it cannot know). Unchecked, because every host call can fail and the caller's
 * handling is almost always "report it"; callers that branch on the cause use {@link #errno()},
 * {@link #rule()} or {@link #kernelCall()}.
 */
public final class HostException extends RuntimeException {

    private final transient Rule rule;
    private final Errno errno;
    private final String call;

    /** A failure of the model: {@code rule} failed, with its errno. */
    public HostException(Rule rule, String detail) {
        super(rule.errno() + " (" + rule.name() + "): " + detail);
        this.rule = Objects.requireNonNull(rule, "rule");
        this.errno = rule.errno();
        this.call = null;
    }

    private HostException(String call, Errno errno, String detail) {
        super(errno + " from " + call + (detail.isEmpty() ? "" : ": " + detail));
        this.rule = null;
        this.errno = errno;
        this.call = call;
    }

    /**
     * A failure a real kernel reported: {@code call} (an ioctl or syscall name, e.g.
     * {@code VFIO_DEVICE_BIND_IOMMUFD}) returned {@code errno}.
     *
     * @param detail what was asked, e.g. the device and the arguments; may be empty
     */
    public static HostException fromKernel(String call, Errno errno, String detail) {
        return new HostException(Objects.requireNonNull(call, "call"), Objects.requireNonNull(errno, "errno"),
                Objects.requireNonNull(detail, "detail"));
    }

    /** The errno the kernel returns (or would return) for this failure. */
    public Errno errno() {
        return errno;
    }

    /** The model's rule that failed, or null when a real kernel reported the failure ({@link #kernelCall()}). */
    public Rule rule() {
        return rule;
    }

    /** The call a real kernel refused, when it was one. */
    public Optional<String> kernelCall() {
        return Optional.ofNullable(call);
    }
}
