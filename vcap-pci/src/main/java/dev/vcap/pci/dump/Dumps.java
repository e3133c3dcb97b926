package dev.vcap.pci.dump;

import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.PciAddress;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Opens any supported dump by content: {@code lspci} text, or a binary config image of exactly 64,
 * 256 or 4096 bytes (a sysfs {@code config} file). The live sysfs tree has its own reader,
 * {@link SysfsReader}.
 */
public final class Dumps {

    private Dumps() {
    }

    /**
     * Opens a file. Binary images are recognised by size (64, 256 or 4096 bytes) and content (not
     * starting like lspci text).
     *
     * @throws DumpFormatException when the file is missing, a directory, or unreadable
     */
    public static DeviceSource open(Path file) {
        return open(file, read -> {
        });
    }

    /**
     * {@link #open(Path)}, telling {@code progress} how many bytes of the file have been read so far
     * each time reading goes on (from the thread that reads the source), for a progress bar.
     */
    public static DeviceSource open(Path file, LongConsumer progress) {
        String name = file.toString();
        if (Files.isDirectory(file)) {
            throw new DumpFormatException(name, 0, "is a directory; expected a dump file (lspci text or a binary config image)");
        }
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new DumpFormatException(name, 0, "no such file");
        } catch (IOException e) {
            throw new DumpFormatException(name, 0, "cannot read: " + e.getMessage());
        }
        try {
            if (isImageSize(size)) {
                byte[] bytes = Files.readAllBytes(file);
                if (!looksLikeText(bytes)) {
                    progress.accept(bytes.length);
                    return DeviceSource.of(List.of(binaryImage(bytes, name, addressFromPath(file))));
                }
            }
            InputStream in = new BufferedInputStream(new Counting(Files.newInputStream(file), progress), 1 << 16);
            return new LspciTextReader(in, name);
        } catch (IOException e) {
            throw new DumpFormatException(name, 0, "cannot read: " + e.getMessage());
        }
    }

    /** An input stream that reports the bytes read so far after every read. */
    private static final class Counting extends FilterInputStream {
        private final LongConsumer progress;
        private long read;

        Counting(InputStream in, LongConsumer progress) {
            super(in);
            this.progress = progress;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                progress.accept(++read);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                read += n;
                progress.accept(read);
            }
            return n;
        }
    }

    /** Reads all devices of a file into memory (for small inputs and tests). */
    public static List<DeviceImage> readAll(Path file) throws IOException {
        try (DeviceSource source = open(file)) {
            return source.stream().toList();
        }
    }

    /** True for the sizes of a binary image: 64, 256 or 4096 bytes. */
    public static boolean isImageSize(long size) {
        return size == ConfigSpace.HEADER_SIZE || size == ConfigSpace.CONVENTIONAL_SIZE
                || size == ConfigSpace.EXTENDED_SIZE;
    }

    /**
     * A binary image as a device.
     *
     * @param address the address to give it (binary images do not carry one)
     */
    public static DeviceImage binaryImage(byte[] bytes, String name, PciAddress address) {
        if (!isImageSize(bytes.length)) {
            throw new DumpFormatException(name, 0, "binary config image of " + bytes.length
                    + " bytes; expected exactly 64, 256 or 4096 bytes");
        }
        return new DeviceImage(address, "binary config image " + name, ConfigSpace.copyOf(bytes), name);
    }

    /**
     * The address a path names, as sysfs paths do ({@code .../0000:00:1f.2/config}); 0000:00:00.0
     * when it names none.
     */
    public static PciAddress addressFromPath(Path file) {
        for (Path p = file; p != null; p = p.getParent()) {
            Path leaf = p.getFileName();
            if (leaf != null) {
                String s = leaf.toString();
                PciAddress a = PciAddress.tryParse(s, 0, s.length());
                if (a != null) {
                    return a;
                }
            }
        }
        return new PciAddress(0, 0, 0, 0);
    }

    /** lspci text starts with a header or hex line: printable ASCII, a hex digit first. */
    static boolean looksLikeText(byte[] bytes) {
        int n = Math.min(bytes.length, 16);
        if (n == 0 || Character.digit(bytes[0], 16) < 0) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            int c = bytes[i] & 0xFF;
            if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' || c >= 0x7F) {
                return false;
            }
        }
        return true;
    }
}
