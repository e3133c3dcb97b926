package dev.vcap.guest;

/**
 * The result of a driver step, with the kernel's negative errno values (include/uapi/asm-generic/
 * errno-base.h): those {@code drivers/pci/ats.c} returns, and {@code pci_reset_function}'s -ENOTTY.
 */
public enum Errno {
    /** 0: success. */
    OK(0),
    /** -16: a step the device's state forbids now (already enabled, PRI not stopped). */
    EBUSY(-16),
    /** -22: the device or its path cannot do what was asked. */
    EINVAL(-22),
    /** -25: no reset method (the function does not advertise FLR). */
    ENOTTY(-25);

    private final int value;

    Errno(int value) {
        this.value = value;
    }

    /** The kernel's return value: 0 or a negative errno. */
    public int value() {
        return value;
    }

    public boolean isOk() {
        return this == OK;
    }

    /** The constant for a kernel return value; values the model never returns are refused. */
    public static Errno of(int value) {
        for (Errno e : values()) {
            if (e.value == value) {
                return e;
            }
        }
        throw new IllegalArgumentException("not an errno the guest model returns: " + value);
    }
}
