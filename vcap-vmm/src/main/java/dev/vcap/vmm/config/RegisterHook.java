package dev.vcap.vmm.config;

import java.util.function.Consumer;

/**
 * Runs after a guest write lands in a capability the VMM serves, to give registers their
 * side effects (PRI Reset reads back 0, Stopped follows Enable) and to tell the VMM what changed.
 * Hooks see the capability's bytes before and after the write and may adjust the after bytes.
 */
@FunctionalInterface
public interface RegisterHook {

    /**
     * @param registers the capability's registers, to read old and new values and apply side effects
     * @param events    where to report what the write meant
     */
    void afterWrite(Registers registers, Consumer<VmmEvent> events);

    /** A window on one capability's shadow bytes during a hook. */
    interface Registers {
        /** The capability's offset. */
        int offset();

        /** A register's value before the write (offset relative to the capability). */
        int before(int relative, int width);

        /** A register's value after the write. */
        int after(int relative, int width);

        /** Sets a register's value (offset relative to the capability), as hardware side effects do. */
        void set(int relative, int width, int value);
    }
}
