package dev.vcap.vfiouser.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The fixed structures that follow the header of each client command (docs/interop/vfio-user.rst),
 * decoded from a {@link Message}'s payload. Offsets are from the end of the header; every field is
 * little-endian. A payload shorter than its structure is {@link ProtocolException.Reason#SHORT_PAYLOAD}.
 */
public final class Requests {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Requests() {
    }

    /**
     * VFIO_USER_VERSION.
     * <pre>
     *  0 major u16 | 2 minor u16 | 4 capabilities: JSON text, NUL-terminated (optional)
     * </pre>
     *
     * @param capabilities the JSON object the client sent, or null when it sent none
     */
    public record Version(int major, int minor, JsonNode capabilities) {
        public static final int MAJOR = 0;
        public static final int MINOR = 2;
        public static final int DATA = 4;

        public static Version decode(Message m) throws ProtocolException {
            ByteBuffer b = fixed(m, DATA, "version");
            JsonNode caps = null;
            int length = b.remaining() - DATA;
            if (length > 0) {
                byte[] text = new byte[length];
                b.get(DATA, text);
                if (text[length - 1] != 0) {
                    throw new ProtocolException(ProtocolException.Reason.BAD_VERSION, m.header()
                            + ": the capabilities are not NUL-terminated");
                }
                String json = new String(text, 0, length - 1, StandardCharsets.UTF_8);
                try {
                    caps = json.isEmpty() ? null : JSON.readTree(json);
                } catch (JsonProcessingException e) {
                    throw new ProtocolException(ProtocolException.Reason.BAD_VERSION, m.header()
                            + ": the capabilities are not JSON: " + e.getOriginalMessage());
                }
                if (caps != null && !caps.isObject()) {
                    throw new ProtocolException(ProtocolException.Reason.BAD_VERSION, m.header()
                            + ": the capabilities are not a JSON object");
                }
            }
            return new Version(b.getShort(MAJOR) & 0xFFFF, b.getShort(MINOR) & 0xFFFF, caps);
        }
    }

    /**
     * VFIO_USER_DMA_MAP.
     * <pre>
     *  0 argsz u32 | 4 flags u32 (0 readable, 1 writeable) | 8 offset u64 | 16 address u64 | 24 size u64
     * </pre>
     */
    public record DmaMap(int argsz, int flags, long offset, long address, long size) {
        public static final int ARGSZ = 0;
        public static final int FLAGS = 4;
        public static final int OFFSET = 8;
        public static final int ADDRESS = 16;
        public static final int SIZE = 24;
        public static final int LENGTH = 32;

        public static DmaMap decode(Message m) throws ProtocolException {
            ByteBuffer b = fixed(m, LENGTH, "DMA map");
            return new DmaMap(b.getInt(ARGSZ), b.getInt(FLAGS), b.getLong(OFFSET), b.getLong(ADDRESS), b.getLong(SIZE));
        }
    }

    /**
     * VFIO_USER_DMA_UNMAP.
     * <pre>
     *  0 argsz u32 | 4 flags u32 | 8 address u64 | 16 size u64
     * </pre>
     */
    public record DmaUnmap(int argsz, int flags, long address, long size) {
        public static final int ARGSZ = 0;
        public static final int FLAGS = 4;
        public static final int ADDRESS = 8;
        public static final int SIZE = 16;
        public static final int LENGTH = 24;

        public static DmaUnmap decode(Message m) throws ProtocolException {
            ByteBuffer b = fixed(m, LENGTH, "DMA unmap");
            return new DmaUnmap(b.getInt(ARGSZ), b.getInt(FLAGS), b.getLong(ADDRESS), b.getLong(SIZE));
        }
    }

    /**
     * VFIO_USER_DEVICE_GET_INFO: {@code 0 argsz u32 | 4 flags u32 | 8 num_regions u32 | 12 num_irqs u32}.
     */
    public record DeviceInfo(int argsz) {
        public static final int ARGSZ = 0;
        public static final int LENGTH = 16;

        public static DeviceInfo decode(Message m) throws ProtocolException {
            return new DeviceInfo(fixed(m, LENGTH, "device info").getInt(ARGSZ));
        }
    }

    /**
     * VFIO_USER_DEVICE_GET_REGION_INFO (struct vfio_region_info).
     * <pre>
     *  0 argsz u32 | 4 flags u32 | 8 index u32 | 12 cap_offset u32 | 16 size u64 | 24 offset u64
     * </pre>
     */
    public record RegionInfo(int argsz, int index) {
        public static final int ARGSZ = 0;
        public static final int FLAGS = 4;
        public static final int INDEX = 8;
        public static final int CAP_OFFSET = 12;
        public static final int SIZE = 16;
        public static final int OFFSET = 24;
        public static final int LENGTH = 32;

        public static RegionInfo decode(Message m) throws ProtocolException {
            ByteBuffer b = fixed(m, LENGTH, "region info");
            return new RegionInfo(b.getInt(ARGSZ), b.getInt(INDEX));
        }
    }

    /**
     * VFIO_USER_DEVICE_GET_IRQ_INFO (struct vfio_irq_info).
     * <pre>
     *  0 argsz u32 | 4 flags u32 | 8 index u32 | 12 count u32
     * </pre>
     */
    public record IrqInfo(int argsz, int index) {
        public static final int ARGSZ = 0;
        public static final int FLAGS = 4;
        public static final int INDEX = 8;
        public static final int COUNT = 12;
        public static final int LENGTH = 16;

        public static IrqInfo decode(Message m) throws ProtocolException {
            ByteBuffer b = fixed(m, LENGTH, "IRQ info");
            return new IrqInfo(b.getInt(ARGSZ), b.getInt(INDEX));
        }
    }

    /**
     * VFIO_USER_DEVICE_SET_IRQS (struct vfio_irq_set); with DATA_EVENTFD the descriptors travel as
     * SCM_RIGHTS, with DATA_BOOL {@code count} bytes follow.
     * <pre>
     *  0 argsz u32 | 4 flags u32 | 8 index u32 | 12 start u32 | 16 count u32 | 20 data
     *  flags: 0 DATA_NONE, 1 DATA_BOOL, 2 DATA_EVENTFD | 3 ACTION_MASK, 4 ACTION_UNMASK, 5 ACTION_TRIGGER
     * </pre>
     */
    public record IrqSet(int argsz, int flags, int index, int start, int count) {
        public static final int ARGSZ = 0;
        public static final int FLAGS = 4;
        public static final int INDEX = 8;
        public static final int START = 12;
        public static final int COUNT = 16;
        public static final int LENGTH = 20;
        public static final int DATA_NONE = 1;
        public static final int DATA_BOOL = 1 << 1;
        public static final int DATA_EVENTFD = 1 << 2;
        public static final int DATA_MASK = DATA_NONE | DATA_BOOL | DATA_EVENTFD;
        public static final int ACTION_MASK = 1 << 3;
        public static final int ACTION_UNMASK = 1 << 4;
        public static final int ACTION_TRIGGER = 1 << 5;
        public static final int ACTIONS = ACTION_MASK | ACTION_UNMASK | ACTION_TRIGGER;

        public static IrqSet decode(Message m) throws ProtocolException {
            ByteBuffer b = fixed(m, LENGTH, "IRQ set");
            return new IrqSet(b.getInt(ARGSZ), b.getInt(FLAGS), b.getInt(INDEX), b.getInt(START), b.getInt(COUNT));
        }
    }

    /**
     * VFIO_USER_REGION_READ and VFIO_USER_REGION_WRITE.
     * <pre>
     *  0 offset u64 | 8 region u32 | 12 count u32 | 16 data (writes: exactly count bytes)
     * </pre>
     *
     * @param data the bytes to write, or null for a read
     */
    public record RegionAccess(long offset, int region, int count, byte[] data) {
        public static final int OFFSET = 0;
        public static final int REGION = 8;
        public static final int COUNT = 12;
        public static final int DATA = 16;

        public static RegionAccess decodeRead(Message m) throws ProtocolException {
            ByteBuffer b = fixed(m, DATA, "region read");
            return new RegionAccess(b.getLong(OFFSET), b.getInt(REGION), b.getInt(COUNT), null);
        }

        public static RegionAccess decodeWrite(Message m) throws ProtocolException {
            ByteBuffer b = fixed(m, DATA, "region write");
            long count = Integer.toUnsignedLong(b.getInt(COUNT));
            if (count != b.remaining() - DATA) {
                throw new ProtocolException(ProtocolException.Reason.INCONSISTENT_LENGTH, String.format(
                        "%s: count %d but %d data bytes follow", m.header(), count, b.remaining() - DATA));
            }
            byte[] data = new byte[(int) count];
            b.get(DATA, data);
            return new RegionAccess(b.getLong(OFFSET), b.getInt(REGION), (int) count, data);
        }
    }

    private static ByteBuffer fixed(Message m, int length, String what) throws ProtocolException {
        ByteBuffer b = m.body();
        if (b.remaining() < length) {
            throw new ProtocolException(ProtocolException.Reason.SHORT_PAYLOAD, String.format(
                    "%s: %d payload bytes, the %s structure has %d", m.header(), b.remaining(), what, length));
        }
        return b;
    }
}
