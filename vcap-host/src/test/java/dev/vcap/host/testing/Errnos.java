package dev.vcap.host.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.vcap.host.Errno;
import dev.vcap.host.HostException;
import dev.vcap.host.Rule;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Assertions on host failures. */
public final class Errnos {

    private Errnos() {
    }

    /** Runs {@code call}; when {@code expected} is null it must succeed, else fail with that errno. */
    public static void expect(Errno expected, ThrowingCallable call) {
        if (expected == null) {
            try {
                call.call();
            } catch (Throwable t) {
                throw new AssertionError("expected success, got " + t, t);
            }
            return;
        }
        HostException e = catchThrowableOfType(HostException.class, call);
        assertThat(e).as("expected %s", expected).isNotNull();
        assertThat(e.errno()).as(e.getMessage()).isEqualTo(expected);
    }

    /** Runs {@code call}, which must fail by {@code rule} (and so with its errno). */
    public static HostException expect(Rule rule, ThrowingCallable call) {
        HostException e = catchThrowableOfType(HostException.class, call);
        assertThat(e).as("expected %s", rule).isNotNull();
        assertThat(e.rule()).as(e.getMessage()).isEqualTo(rule);
        assertThat(e.errno()).isEqualTo(rule.errno());
        return e;
    }
}
