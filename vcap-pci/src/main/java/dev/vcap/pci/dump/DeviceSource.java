package dev.vcap.pci.dump;

import dev.vcap.pci.config.DeviceImage;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Devices read one at a time from a source, so memory stays flat however large the source is.
 * {@link #next()} throws {@link DumpFormatException} at the first malformed input and
 * {@link UncheckedIOException} when reading fails.
 */
public interface DeviceSource extends Iterator<DeviceImage>, Closeable {

    /** The devices as a sequential stream that closes this source when closed. */
    default Stream<DeviceImage> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL),
                false).onClose(() -> {
                    try {
                        close();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }

    /** A source over devices already in memory. */
    static DeviceSource of(Iterable<DeviceImage> devices) {
        Iterator<DeviceImage> it = devices.iterator();
        return new DeviceSource() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public DeviceImage next() {
                if (!it.hasNext()) {
                    throw new NoSuchElementException();
                }
                return it.next();
            }

            @Override
            public void close() {
            }
        };
    }
}
