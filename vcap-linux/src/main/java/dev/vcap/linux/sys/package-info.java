/**
 * The syscall layer: libc functions called through {@code java.lang.foreign} (no JNI, no C
 * compiler), with {@code errno} captured right after each call ({@code
 * Linker.Option.captureCallState("errno")}), so that no JVM activity between the call and the read
 * can overwrite it.
 *
 * <ul>
 *   <li>{@link dev.vcap.linux.sys.Libc}: {@code open}, {@code close}, {@code ioctl}, {@code pread},
 *       {@code pwrite}, {@code eventfd}, {@code read}, {@code write}, {@code strerror}; a failing
 *       call throws a {@link dev.vcap.linux.sys.SyscallException} naming the call and the errno.</li>
 *   <li>{@link dev.vcap.linux.sys.Downcall}: declares any other libc function with errno captured.
 *       Another class adds the calls it needs without touching this package:
 *       <pre>{@code
 * private static final Downcall SOCKET = Downcall.libc("socket",
 *         FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
 * int fd = (int) SOCKET.invoke("socket AF_UNIX", AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
 *       }</pre>
 *       {@code invoke} throws on a {@code -1} return; {@code call} returns the value and errno
 *       for callers that branch on them (EAGAIN, EINTR); {@code handle()} is the raw method handle
 *       for exact invocation on hot paths, its first argument the per-thread call-state segment
 *       {@link dev.vcap.linux.sys.Downcall#callState()}.</li>
 *   <li>{@link dev.vcap.linux.sys.Fd}: an open file descriptor that is closed exactly once and
 *       never used after (or while) it is closed, so a recycled descriptor number is never read.</li>
 *   <li>{@link dev.vcap.linux.sys.UnixSockets}: UNIX stream sockets, with descriptors passed as
 *       SCM_RIGHTS by {@code sendmsg} and received by {@code recvmsg} (vcap-vfiouser's server
 *       socket).</li>
 *   <li>{@link dev.vcap.linux.sys.Ioctl}: ioctl request numbers derived as {@code
 *       include/uapi/asm-generic/ioctl.h} derives them ({@code _IO}, {@code _IOR}, {@code _IOW},
 *       {@code _IOWR}).</li>
 * </ul>
 *
 * Numbers and layouts are those of Linux on x86-64 and arm64 (the generic ioctl encoding, LP64).
 * Native access must be enabled ({@code --enable-native-access=ALL-UNNAMED}); the {@code vcap}
 * launcher and the build do.
 */
package dev.vcap.linux.sys;
