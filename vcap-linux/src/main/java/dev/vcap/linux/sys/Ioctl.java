package dev.vcap.linux.sys;

import java.util.Locale;

/**
 * An ioctl request: its name (for messages) and its number, encoded as
 * {@code include/uapi/asm-generic/ioctl.h} encodes it (x86-64 and arm64):
 *
 * <pre>
 *  31 30 29                 16 15          8 7           0
 * +-----+---------------------+-------------+-------------+
 * | dir |        size         |    type     |     nr      |
 * +-----+---------------------+-------------+-------------+
 *   _IOC_DIRSHIFT 30, _IOC_SIZESHIFT 16 (14 bits), _IOC_TYPESHIFT 8, _IOC_NRSHIFT 0
 * </pre>
 *
 * vfio and iommufd encode every request with {@code _IO} (direction and size 0) and pass the size
 * inside the structure ({@code argsz}, {@code size}).
 *
 * @param name   the header's name, e.g. {@code VFIO_DEVICE_BIND_IOMMUFD}
 * @param number the request number passed to {@code ioctl(2)}
 */
public record Ioctl(String name, long number) {

    public static final int NRBITS = 8;
    public static final int TYPEBITS = 8;
    public static final int SIZEBITS = 14;
    public static final int DIRBITS = 2;
    public static final int NRSHIFT = 0;
    public static final int TYPESHIFT = NRSHIFT + NRBITS;
    public static final int SIZESHIFT = TYPESHIFT + TYPEBITS;
    public static final int DIRSHIFT = SIZESHIFT + SIZEBITS;
    public static final int NONE = 0;
    public static final int WRITE = 1;
    public static final int READ = 2;

    /** {@code _IOC(dir, type, nr, size)}. */
    public static Ioctl ioc(String name, int dir, int type, int nr, int size) {
        check(dir, DIRBITS, "direction");
        check(type, TYPEBITS, "type");
        check(nr, NRBITS, "number");
        check(size, SIZEBITS, "size");
        return new Ioctl(name, (long) dir << DIRSHIFT | (long) size << SIZESHIFT | (long) type << TYPESHIFT
                | (long) nr << NRSHIFT);
    }

    /** {@code _IO(type, nr)}. */
    public static Ioctl io(String name, int type, int nr) {
        return ioc(name, NONE, type, nr, 0);
    }

    /** {@code _IOR(type, nr, size)}: the kernel writes {@code size} bytes to user space. */
    public static Ioctl ior(String name, int type, int nr, int size) {
        return ioc(name, READ, type, nr, size);
    }

    /** {@code _IOW(type, nr, size)}: the kernel reads {@code size} bytes from user space. */
    public static Ioctl iow(String name, int type, int nr, int size) {
        return ioc(name, WRITE, type, nr, size);
    }

    /** {@code _IOWR(type, nr, size)}. */
    public static Ioctl iowr(String name, int type, int nr, int size) {
        return ioc(name, READ | WRITE, type, nr, size);
    }

    /** {@code _IOC_TYPE}. */
    public int type() {
        return (int) (number >>> TYPESHIFT) & ((1 << TYPEBITS) - 1);
    }

    /** {@code _IOC_NR}. */
    public int nr() {
        return (int) (number >>> NRSHIFT) & ((1 << NRBITS) - 1);
    }

    /** {@code _IOC_SIZE}. */
    public int size() {
        return (int) (number >>> SIZESHIFT) & ((1 << SIZEBITS) - 1);
    }

    /** {@code _IOC_DIR}. */
    public int dir() {
        return (int) (number >>> DIRSHIFT) & ((1 << DIRBITS) - 1);
    }

    private static void check(int value, int bits, String what) {
        if (value < 0 || value >= 1 << bits) {
            throw new IllegalArgumentException("ioctl " + what + " " + value + " does not fit in " + bits + " bits");
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (0x%x)", name, number);
    }
}
