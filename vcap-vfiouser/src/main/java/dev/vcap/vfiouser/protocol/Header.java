package dev.vcap.vfiouser.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 16-byte header in front of every vfio-user message, command or reply (QEMU's
 * docs/interop/vfio-user.rst, "Header"). Host byte order, which on every platform QEMU's client
 * runs vfio-user on today is little-endian; vcap writes and reads little-endian explicitly.
 *
 * <pre>
 *  0         2         4                   8                   12                  16
 *  +---------+---------+-------------------+-------------------+-------------------+
 *  | id  u16 | cmd u16 | size u32          | flags u32         | error u32         |
 *  +---------+---------+-------------------+-------------------+-------------------+
 *  size:  the whole message, header included
 *  flags: bits 3:0 type (0 command, 1 reply), bit 4 no reply wanted, bit 5 error (replies)
 *  error: an errno in an error reply; reserved in a command
 * </pre>
 *
 * @param id      chosen by the sender, echoed in the reply
 * @param command the command number ({@link Command})
 * @param size    bytes in the whole message
 * @param flags   type, no-reply and error bits
 * @param error   errno of an error reply
 */
public record Header(int id, int command, int size, int flags, int error) {

    public static final int ID = 0;
    public static final int COMMAND = ID + 2;
    public static final int SIZE = COMMAND + 2;
    public static final int FLAGS = SIZE + 4;
    public static final int ERROR = FLAGS + 4;
    /** Bytes in a header. */
    public static final int LENGTH = ERROR + 4;

    public static final int TYPE_MASK = 0xF;
    public static final int TYPE_COMMAND = 0x0;
    public static final int TYPE_REPLY = 0x1;
    public static final int NO_REPLY = 1 << 4;
    public static final int ERROR_FLAG = 1 << 5;

    /** The message type: {@link #TYPE_COMMAND} or {@link #TYPE_REPLY} (other values are malformed). */
    public int type() {
        return flags & TYPE_MASK;
    }

    public boolean noReply() {
        return (flags & NO_REPLY) != 0;
    }

    /** Bytes after the header. */
    public int payloadLength() {
        return size - LENGTH;
    }

    /** Decodes the header at the buffer's position (which does not move). */
    public static Header decode(ByteBuffer b) {
        ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int p = b.position();
        return new Header(le.getShort(p + ID) & 0xFFFF, le.getShort(p + COMMAND) & 0xFFFF, le.getInt(p + SIZE),
                le.getInt(p + FLAGS), le.getInt(p + ERROR));
    }

    /** Writes this header at the buffer's position and advances it. */
    public void encode(ByteBuffer b) {
        ByteBuffer le = b.order(ByteOrder.LITTLE_ENDIAN);
        le.putShort((short) id).putShort((short) command).putInt(size).putInt(flags).putInt(error);
    }

    /** The header of a successful reply to this command carrying {@code payload} bytes. */
    public Header reply(int payload) {
        return new Header(id, command, LENGTH + payload, TYPE_REPLY, 0);
    }

    /** The header of an error reply to this command: a header alone, flags Reply|Error, the errno. */
    public Header errorReply(int errno) {
        return new Header(id, command, LENGTH, TYPE_REPLY | ERROR_FLAG, errno);
    }

    @Override
    public String toString() {
        return String.format("%s id %d size %d flags 0x%x", Command.nameOf(command), id, size, flags);
    }
}
