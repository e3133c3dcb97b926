package dev.vcap.vfiouser.protocol;

import java.util.Optional;

/**
 * vfio-user command numbers (QEMU's docs/interop/vfio-user.rst, "Commands"; hw/vfio-user/protocol.h).
 * Each names the direction its requests travel; a server answers only client-to-server commands.
 */
public enum Command {
    VERSION(1, true),
    DMA_MAP(2, true),
    DMA_UNMAP(3, true),
    DEVICE_GET_INFO(4, true),
    DEVICE_GET_REGION_INFO(5, true),
    DEVICE_GET_REGION_IO_FDS(6, true),
    DEVICE_GET_IRQ_INFO(7, true),
    DEVICE_SET_IRQS(8, true),
    REGION_READ(9, true),
    REGION_WRITE(10, true),
    DMA_READ(11, false),
    DMA_WRITE(12, false),
    DEVICE_RESET(13, true),
    DIRTY_PAGES(14, true),
    REGION_WRITE_MULTI(15, true),
    DEVICE_FEATURE(16, true),
    MIG_DATA_READ(17, true),
    MIG_DATA_WRITE(18, true);

    private static final Command[] BY_NUMBER = new Command[19];

    static {
        for (Command c : values()) {
            BY_NUMBER[c.number] = c;
        }
    }

    private final int number;
    private final boolean clientToServer;

    Command(int number, boolean clientToServer) {
        this.number = number;
        this.clientToServer = clientToServer;
    }

    public int number() {
        return number;
    }

    /** True for commands a client sends (a server answers them); false for DMA_READ and DMA_WRITE. */
    public boolean clientToServer() {
        return clientToServer;
    }

    /** The command with this number, if the specification defines one. */
    public static Optional<Command> of(int number) {
        return number >= 0 && number < BY_NUMBER.length ? Optional.ofNullable(BY_NUMBER[number]) : Optional.empty();
    }

    /** The specification's name, e.g. {@code VFIO_USER_REGION_READ}, or {@code command N} for an undefined one. */
    public static String nameOf(int number) {
        return of(number).map(c -> "VFIO_USER_" + c.name()).orElse("command " + number);
    }
}
