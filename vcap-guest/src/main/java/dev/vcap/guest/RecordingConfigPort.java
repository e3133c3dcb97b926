package dev.vcap.guest;

import java.util.ArrayList;
import java.util.List;

/**
 * Decorates a port and records every access in order, so tests can say exactly what the guest read
 * and wrote (that enumeration only reads, that a driver step writes allocation before enable, how
 * many reads a looping chain costs before its TTL ends it).
 */
public final class RecordingConfigPort implements ConfigPort {

    /** One access. {@code value} is what was read or written. */
    public record Access(Kind kind, int offset, int width, int value) {

        public enum Kind { READ, WRITE }

        public boolean isWrite() {
            return kind == Kind.WRITE;
        }

        @Override
        public String toString() {
            return String.format("%s%d 0x%03x = 0x%x", kind == Kind.READ ? "r" : "w", width * 8, offset, value);
        }
    }

    private final ConfigPort inner;
    private final List<Access> accesses = new ArrayList<>();

    public RecordingConfigPort(ConfigPort inner) {
        this.inner = inner;
    }

    @Override
    public int read(int offset, int width) {
        ConfigPort.checkAccess(offset, width);
        int value = inner.read(offset, width);
        accesses.add(new Access(Access.Kind.READ, offset, width, value));
        return value;
    }

    @Override
    public void write(int offset, int width, int value) {
        ConfigPort.checkAccess(offset, width);
        inner.write(offset, width, value);
        int mask = width == 4 ? -1 : (1 << (8 * width)) - 1;
        accesses.add(new Access(Access.Kind.WRITE, offset, width, value & mask));
    }

    /** Every access since construction or the last {@link #clear()}, in order. */
    public List<Access> accesses() {
        return List.copyOf(accesses);
    }

    public List<Access> writes() {
        return accesses.stream().filter(Access::isWrite).toList();
    }

    public long readCount() {
        return accesses.stream().filter(a -> !a.isWrite()).count();
    }

    public long writeCount() {
        return accesses.size() - readCount();
    }

    public void clear() {
        accesses.clear();
    }
}
