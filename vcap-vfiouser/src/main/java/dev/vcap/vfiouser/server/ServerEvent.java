package dev.vcap.vfiouser.server;

import dev.vcap.vmm.config.VmmEvent;
import java.nio.file.Path;

/** What a vfio-user server reports while it serves: connections, the guest's writes, VMM events. */
public sealed interface ServerEvent {

    /** The socket is bound and waits for QEMU. */
    record Listening(Path socket) implements ServerEvent {
    }

    /** A client connected. */
    record Connected() implements ServerEvent {
    }

    /** VERSION negotiated: the versions agreed and the capabilities the client proposed (JSON text). */
    record Negotiated(int major, int minor, String clientCapabilities) implements ServerEvent {
    }

    /** A command got an error reply. */
    record ErrorReply(String command, int errno, String why) implements ServerEvent {
    }

    /** Descriptors that came with a command, and what became of them. */
    record Descriptors(String command, int count, String fate) implements ServerEvent {
    }

    /** A guest write to config space, as QEMU forwarded it (before vcap's masks). */
    record ConfigWrite(int offset, int width, int value) implements ServerEvent {
    }

    /** A write that reached the device's own config region (what the write policy forwarded). */
    record BackingWrite(int offset, int width, int value) implements ServerEvent {
    }

    /** A VMM event raised by a guest write (PASID, ATS, PRI control; FLR). */
    record Vmm(VmmEvent event) implements ServerEvent {
    }

    /** The served registers went back to their reset values: {@code cause} is FLR or DEVICE_RESET. */
    record Reset(String cause) implements ServerEvent {
    }

    /** The served device switched to another dump (admitted), or the switch was refused. */
    record Migration(String destination, boolean admitted, String rule, int offset, String detail)
            implements ServerEvent {
    }

    /** The client is gone: {@code reason} is null after a clean disconnect, else why the server closed. */
    record Disconnected(String reason) implements ServerEvent {
    }

    /** The server stopped: the client left, or a signal. */
    record Stopped(String why) implements ServerEvent {
    }
}
