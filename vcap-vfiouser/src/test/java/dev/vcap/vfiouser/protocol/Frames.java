package dev.vcap.vfiouser.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Builds raw messages for tests. */
public final class Frames {
    private Frames() {
    }

    public static ByteBuffer message(int id, int command, int flags, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(Header.LENGTH + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        new Header(id, command, Header.LENGTH + payload.length, flags, 0).encode(b);
        return b.put(payload).flip();
    }

    public static byte[] le(int... ints) {
        ByteBuffer b = ByteBuffer.allocate(4 * ints.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i : ints) {
            b.putInt(i);
        }
        return b.array();
    }

    public static byte[] regionAccess(long offset, int region, int count, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(16 + data.length).order(ByteOrder.LITTLE_ENDIAN);
        return b.putLong(offset).putInt(region).putInt(count).put(data).array();
    }

    public static byte[] version(String caps) {
        byte[] text = (caps + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(4 + text.length).order(ByteOrder.LITTLE_ENDIAN);
        return b.putShort((short) 0).putShort((short) 0).put(text).array();
    }
}
