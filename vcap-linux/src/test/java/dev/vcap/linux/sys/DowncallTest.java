package dev.vcap.linux.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.lang.foreign.FunctionDescriptor;
import org.junit.jupiter.api.Test;

/** Declaring more libc functions, as another module does for its own calls. */
class DowncallTest {

    private static final Downcall GETPID = Downcall.libc("getpid", FunctionDescriptor.of(JAVA_INT));
    private static final Downcall DUP = Downcall.libc("dup", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    @Test
    void aDeclaredFunctionReturnsItsValue() {
        assertThat(GETPID.invoke(null)).isEqualTo(ProcessHandle.current().pid());
        assertThat(GETPID.name()).isEqualTo("getpid");
    }

    @Test
    void callReturnsValueAndErrnoWithoutThrowing() {
        Downcall.Result r = DUP.call(-1);
        assertThat(r.failed()).isTrue();
        assertThat(r.value()).isEqualTo(-1);
        assertThat(r.errno()).isEqualTo(9);
        assertThat(r.errnoName()).isEqualTo("EBADF");
    }

    @Test
    void invokeThrowsNamedAfterWhatWasAsked() {
        SyscallException e = catchThrowableOfType(SyscallException.class, () -> DUP.invoke("dup of a bad fd", -1));
        assertThat(e.call()).isEqualTo("dup of a bad fd");
        assertThat(e.errnoName()).isEqualTo("EBADF");
        SyscallException unnamed = catchThrowableOfType(SyscallException.class, () -> DUP.invoke(null, -1));
        assertThat(unnamed.call()).isEqualTo("dup");
    }

    @Test
    void aDescriptorFromADeclaredCallIsAdoptedAndClosedOnce() {
        int fd = Libc.open("/dev/null", Libc.O_RDONLY);
        int copy = (int) DUP.invoke("dup", fd);
        Libc.close(fd);
        try (Fd adopted = Fd.adopt(copy, "dup of /dev/null")) {
            assertThat(adopted.isOpen()).isTrue();
        }
        assertThat(DUP.call(copy).errnoName()).as("closed by the Fd").isEqualTo("EBADF");
    }

    @Test
    void aMissingSymbolIsNamed() {
        assertThatThrownBy(() -> Downcall.libc("vcap_no_such_function", FunctionDescriptor.ofVoid()))
                .isInstanceOf(UnsatisfiedLinkError.class).hasMessageContaining("vcap_no_such_function");
    }

    @Test
    void anUnknownErrnoValueIsNamedByNumber() {
        assertThat(new SyscallException("x", 600).errnoName()).isEqualTo("errno 600");
        assertThat(new SyscallException("x", 524).errnoName()).isEqualTo("ENOTSUPP");
    }
}
