package dev.vcap.pci.dump;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.PciAddress;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Fuzzes {@link LspciTextReader} with arbitrary bytes. Invariants: it returns devices or throws
 * {@link DumpFormatException} (naming the source, with a line inside the input), nothing else;
 * every device's config space is a multiple of 16 bytes in 64..4096; addresses are distinct;
 * reading terminates (while fuzzing, within the per-input timeout fuzz/run.sh gives libFuzzer);
 * and how the stream is cut into reads does not change the outcome.
 *
 * <p>Regression inputs: {@code src/test/resources/dev/vcap/pci/dump/LspciTextReaderFuzzTestInputs/read/}.
 * Fuzz for real with {@code fuzz/run.sh LspciTextReaderFuzzTest.read MINUTES}.
 */
class LspciTextReaderFuzzTest {

    static final String NAME = "fuzz.lspci";

    /** The outcome of one read: the devices, or the error message. */
    record Outcome(List<DeviceImage> devices, String error) {
    }

    @FuzzTest(maxDuration = "30s")
    void read(byte[] data) {
        Outcome whole = read(new ByteArrayInputStream(data), data);
        // the same bytes delivered in short reads, as a pipe or a socket delivers them
        int chunk = 1 + data.length % 61;
        Outcome chunked = read(new ChunkedStream(data, chunk), data);
        assertThat(chunked.error()).as("error with %d-byte reads", chunk).isEqualTo(whole.error());
        assertThat(chunked.devices()).as("devices with %d-byte reads", chunk).isEqualTo(whole.devices());
    }

    static Outcome read(InputStream in, byte[] data) {
        List<DeviceImage> devices = new ArrayList<>();
        long lines = 1;
        for (byte b : data) {
            if (b == '\n') {
                lines++;
            }
        }
        try (LspciTextReader r = new LspciTextReader(in, NAME)) {
            Set<PciAddress> seen = new HashSet<>();
            while (r.hasNext()) {
                DeviceImage d = r.next();
                devices.add(d);
                // a device takes a header line and at least four hex lines
                assertThat(devices.size()).as("devices from %d lines", lines).isLessThanOrEqualTo((int) (lines / 5 + 1));
                int length = d.config().length();
                assertThat(length % ConfigSpace.LINE_SIZE).isZero();
                assertThat(length).isBetween(ConfigSpace.HEADER_SIZE, ConfigSpace.EXTENDED_SIZE);
                assertThat(seen.add(d.address())).as("duplicate address %s", d.address()).isTrue();
                assertThat(d.origin()).startsWith(NAME + ":");
            }
            assertThat(devices).as("a successful read has a device").isNotEmpty();
            return new Outcome(devices, null);
        } catch (DumpFormatException e) {
            assertThat(e.source()).isEqualTo(NAME);
            assertThat(e.line()).isBetween(0L, lines);
            assertThat(e.getMessage()).startsWith(NAME);
            return new Outcome(devices, e.getMessage());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Delivers at most {@code chunk} bytes per read. */
    static final class ChunkedStream extends InputStream {
        private final byte[] data;
        private final int chunk;
        private int pos;

        ChunkedStream(byte[] data, int chunk) {
            this.data = data;
            this.chunk = chunk;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (pos >= data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, chunk), data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
