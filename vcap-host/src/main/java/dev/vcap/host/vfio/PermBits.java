package dev.vcap.host.vfio;

/**
 * One capability's permission table, as {@code struct perm_bits} in vfio_pci_config.c: for every
 * byte, which bits are virtualized (read from and written to vfio's virtual copy, never the device)
 * and which bits the user may write, plus the read and write behaviour for the region.
 *
 * <p>Reads merge: {@code (hw & ~virt) | (vconfig & virt)}. Writes split: writable virtual bits go to
 * the virtual copy, writable non-virtual bits are read-modify-written to the device, everything else
 * is dropped silently.
 */
public final class PermBits {

    /** How reads are served. */
    public enum Read {
        /** vfio_default_config_read: merge hardware and virtual bits by the {@code virt} table. */
        DEFAULT,
        /** vfio_direct_config_read: hardware, except the capability header/next pointer (virtual). */
        DIRECT,
        /** vfio_raw_config_read: hardware. */
        RAW,
        /** vfio_virt_config_read: virtual copy. */
        VIRT,
        /** vfio_basic_config_read: BAR sizing, a VF's memory enable, then DEFAULT. */
        BASIC
    }

    /** How writes are served. */
    public enum Write {
        /** No writefn: the write is dropped. */
        DROP,
        /** vfio_default_config_write: split by {@code virt} and {@code write}. */
        DEFAULT,
        /** vfio_raw_config_write: straight to hardware. */
        RAW,
        /** vfio_virt_config_write: straight to the virtual copy. */
        VIRT,
        /** vfio_basic_config_write: DEFAULT plus memory/I/O enable tracking. */
        BASIC,
        /** vfio_pm_config_write: DEFAULT, then the power state is set by the core. */
        PM,
        /**
         * vfio_exp_config_write: DEFAULT, then a virtual Initiate FLR resets the function and a
         * changed Max Read Request Size is set on the device (pcie_set_readrq).
         */
        EXP,
        /** vfio_af_config_write: DEFAULT, then a virtual AF FLR resets the function. */
        AF,
        /** vfio_msi_config_write: DEFAULT, then flags (minus Enable) are written through. */
        MSI
    }

    /** A register's masks within the capability. */
    public record Field(int offset, int width, int virt, int write) {
    }

    private final String name;
    private final byte[] virt;
    private final byte[] write;
    private final Read read;
    private final Write writeFn;

    PermBits(String name, int size, Read read, Write writeFn, Field... fields) {
        int rounded = (size + 3) & ~3;
        this.name = name;
        this.virt = new byte[rounded];
        this.write = new byte[rounded];
        this.read = read;
        this.writeFn = writeFn;
        for (Field f : fields) {
            for (int i = 0; i < f.width(); i++) {
                virt[f.offset() + i] = (byte) (f.virt() >>> (8 * i));
                write[f.offset() + i] = (byte) (f.write() >>> (8 * i));
            }
        }
    }

    /** No table: reads and writes are handled without masks. */
    PermBits(String name, Read read, Write writeFn) {
        this(name, 0, read, writeFn);
    }

    public String name() {
        return name;
    }

    public Read read() {
        return read;
    }

    public Write writeFn() {
        return writeFn;
    }

    /** The virtualized bits of {@code count} bytes at {@code offset} within the capability. */
    public int virt(int offset, int count) {
        return bytes(virt, offset, count);
    }

    /** The user-writable bits of {@code count} bytes at {@code offset} within the capability. */
    public int write(int offset, int count) {
        return bytes(write, offset, count);
    }

    private static int bytes(byte[] table, int offset, int count) {
        int v = 0;
        for (int i = 0; i < count; i++) {
            int at = offset + i;
            v |= (at < table.length ? table[at] & 0xFF : 0) << (8 * i);
        }
        return v;
    }

    static Field b(int offset, int virt, int write) {
        return new Field(offset, 1, virt, write);
    }

    static Field w(int offset, int virt, int write) {
        return new Field(offset, 2, virt, write);
    }

    static Field d(int offset, int virt, int write) {
        return new Field(offset, 4, virt, write);
    }

    @Override
    public String toString() {
        return name + "[" + read + "/" + writeFn + "]";
    }
}
