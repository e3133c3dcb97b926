package dev.vcap.linux.sys;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Objects;

/**
 * One libc function, called with {@code errno} captured by the linker right after it returns
 * ({@code Linker.Option.captureCallState("errno")}). Declare one per function, as a constant:
 *
 * <pre>{@code
 * static final Downcall RECVMSG = Downcall.libc("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
 * long n = RECVMSG.invoke("recvmsg", fd, msghdr, MSG_CMSG_CLOEXEC);   // -1 throws SyscallException
 * Downcall.Result r = RECVMSG.call(fd, msghdr, 0);                     // value and errno, no throw
 * }</pre>
 *
 * Integer returns are widened to {@code long}; a function returning a pointer returns its address.
 * Thread-safe: the call state lives in a per-thread segment.
 */
@SuppressWarnings("restricted")
public final class Downcall {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(groupElement("errno"));
    private static final ThreadLocal<MemorySegment> CALL_STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(STATE));

    private final String name;
    private final FunctionDescriptor descriptor;
    private final MethodHandle handle;

    private Downcall(String name, FunctionDescriptor descriptor, MethodHandle handle) {
        this.name = name;
        this.descriptor = descriptor;
        this.handle = handle;
    }

    /**
     * Looks {@code name} up in the C library and links it with errno capture.
     *
     * @param options more linker options, e.g. {@code Linker.Option.firstVariadicArg(2)} for
     *                {@code open} and {@code ioctl}
     * @throws UnsatisfiedLinkError when libc has no such symbol
     */
    public static Downcall libc(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("the C library has no function " + name));
        Linker.Option[] all = Arrays.copyOf(options, options.length + 1);
        all[options.length] = Linker.Option.captureCallState("errno");
        return new Downcall(name, descriptor, LINKER.downcallHandle(symbol, descriptor, all));
    }

    /** The C function's name. */
    public String name() {
        return name;
    }

    /** The C signature it was linked with. */
    public FunctionDescriptor descriptor() {
        return descriptor;
    }

    /**
     * The linked handle. Its first parameter is the call-state segment ({@link #callState()}), then
     * the C arguments; for exact invocation on hot paths, read errno with {@link #errno(MemorySegment)}.
     */
    public MethodHandle handle() {
        return handle;
    }

    /** This thread's call-state segment, where the linker stores errno after each call. */
    public static MemorySegment callState() {
        return CALL_STATE.get();
    }

    /** The errno a call stored in a call-state segment. */
    public static int errno(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }

    /** A call's return value and the errno right after it (meaningful only when the call failed). */
    public record Result(long value, int errno) {

        /** True when the call returned -1 (or a negative value): errno says why. */
        public boolean failed() {
            return value < 0;
        }

        /** {@code EINVAL}, or {@code errno N}. */
        public String errnoName() {
            return SyscallException.name(errno);
        }
    }

    /** Calls the function; never throws for a failing call. */
    public Result call(Object... args) {
        MemorySegment state = callState();
        Object[] all = new Object[args.length + 1];
        all[0] = state;
        System.arraycopy(args, 0, all, 1, args.length);
        Object r;
        try {
            r = handle.invokeWithArguments(all);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(name + ": " + t, t);
        }
        long value = switch (r) {
            case null -> 0;
            case Integer i -> i;
            case Long l -> l;
            case Short s -> s;
            case Byte b -> b;
            case MemorySegment m -> m.address();
            default -> throw new IllegalStateException(name + " returned a " + r.getClass().getSimpleName());
        };
        return new Result(value, errno(state));
    }

    /**
     * Calls the function and returns its value.
     *
     * @param what names the call in the exception, e.g. {@code "bind /run/vcap.sock"}; null means the
     *             function's name
     * @throws SyscallException when it returns a negative value
     */
    public long invoke(String what, Object... args) {
        Result r = call(args);
        if (r.failed()) {
            throw new SyscallException(Objects.requireNonNullElse(what, name), r.errno());
        }
        return r.value();
    }

    @Override
    public String toString() {
        return name + descriptor;
    }
}
