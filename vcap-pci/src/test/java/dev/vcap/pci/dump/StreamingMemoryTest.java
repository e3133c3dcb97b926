package dev.vcap.pci.dump;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.config.DeviceImage;
import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Large inputs stream: a child JVM with a 24 MiB heap reads and walks 40,000 devices (about 520
 * MB of lspci -xxxx text, generated on the fly), which it could not hold in memory.
 */
class StreamingMemoryTest {

    static final int DEVICES = 40_000;

    @Test
    void readingDoesNotGrowWithInputSize() throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process p = new ProcessBuilder(java, "-Xmx24m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                Child.class.getName(), Integer.toString(DEVICES)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("child finished").isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out.strip()).isEqualTo("devices=" + DEVICES);
    }

    /** Reads a generated stream of devices and walks each one. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            int count = Integer.parseInt(args[0]);
            long devices = 0;
            try (LspciTextReader r = new LspciTextReader(new Generated(count), "generated")) {
                while (r.hasNext()) {
                    DeviceImage d = r.next();
                    CapabilityChain.walk(d.config());
                    devices++;
                }
            }
            System.out.println("devices=" + devices);
        }
    }

    /** lspci -xxxx text of {@code count} devices with unique addresses, produced lazily. */
    static final class Generated extends InputStream {
        private static final String BODY = LspciTextReaderTest.hex(4096) + "\n";
        private final int count;
        private int device;
        private byte[] chunk = new byte[0];
        private int pos;

        Generated(int count) {
            this.count = count;
        }

        @Override
        public int read() {
            if (pos == chunk.length && !nextChunk()) {
                return -1;
            }
            return chunk[pos++] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos == chunk.length && !nextChunk()) {
                return -1;
            }
            int n = Math.min(len, chunk.length - pos);
            System.arraycopy(chunk, pos, b, off, n);
            pos += n;
            return n;
        }

        private boolean nextChunk() {
            if (device == count) {
                return false;
            }
            int i = device++;
            String header = String.format("%04x:%02x:%02x.%x Generated device %d%n", i >> 16, i >> 8 & 0xFF, i >> 3 & 0x1F,
                    i & 7, i);
            chunk = (header + BODY).getBytes(StandardCharsets.US_ASCII);
            pos = 0;
            return true;
        }
    }
}
