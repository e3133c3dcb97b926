package dev.vcap.vmm.migration;

import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.Header;
import java.util.List;
import java.util.OptionalInt;

/**
 * The masks QEMU 11.0 keeps for a vfio-pci device, as its migration check uses them: on load,
 * {@code get_pci_config_device()} (hw/pci/pci.c) refuses the first byte {@code i} where
 * {@code (incoming[i] ^ config[i]) & cmask[i] & ~wmask[i] & ~w1cmask[i]} is not zero — with the
 * <em>destination's</em> masks and its own {@code config[]}.
 *
 * <pre>
 * byte ranges        cmask (checked)                                  wmask (guest-writable, so not checked)
 * header             vendor, device, Status bit 4 (capability list),  Command 0x0507, cache line, interrupt line
 *                    revision, class, header type, capability         (pci_init_wmask); BAR address bits
 *                    pointer (pci_init_cmask); each implemented BAR   (pci_register_bar)
 *                    (pci_register_bar): its type bits here
 * standard caps      [pos, next higher capability or 0x100)           0 there (pci_add_capability), except
 *                    (vfio_add_std_cap, vfio_std_cap_max_size);       MSI: flags 0x71, address, data, mask bits
 *                    MSI its own size (msi_init), MSI-X 12 bytes      (msi_init); MSI-X flags bits 15:14
 *                    (msix_init), PM 8 (pci_pm_init), vendor-specific (msix_init); PM PMCSR bits 1:0 (vfio)
 *                    ID, next and length only (skip-vsc-check)
 * extended caps      [pos, next higher capability or 0x1000) for     0 there (pcie_add_capability)
 *                    every one vfio shows but ID 0, SR-IOV and ARI
 *                    (vfio_add_ext_cap, vfio_ext_cap_max_size)
 * vPASID             its 8 bytes (pcie_insert_capability)             Control bits 2:0 (pcie_pasid_common_init)
 * everything else    0                                                0xff from 0x40 on (pci_init_wmask)
 * </pre>
 *
 * The sizes count from each capability to the next <em>higher</em> one in vfio's view, so every
 * byte up to it is checked — pass-through registers, the bodies of capabilities vfio hid and
 * trailing gaps included; the last extended capability's range runs to 0x1000. The
 * write-1-to-clear mask covers only Status error bits, outside every checked byte. BAR sizes are
 * not in a dump: of a BAR's checked bits vcap compares its type bits (an all-zero BAR is taken as
 * unimplemented). Followed from QEMU's sources and checked against the disassembly of Debian's
 * QEMU 11.1.3 build ({@code get_pci_config_device}, {@code pci_pm_init}, {@code pcie_pri_init},
 * the vfio capability setup in {@code vfio_pci_add_capabilities}).
 */
final class QemuConfigMasks {

    private static final int CAP_LIST = 0x10;
    private static final int COMMAND_WRITABLE = 0x0507; // I/O, memory, bus master, SERR, INTx disable
    private static final int MSI_FLAGS_WRITABLE = 0x71; // Multiple Message Enable, MSI Enable
    private static final int MSIX_FLAGS_WRITABLE_HIGH = 0xC0; // MSI-X Enable, Function Mask
    private static final int PMCSR_WRITABLE = 0x03; // PowerState
    private static final int PASID_CONTROL_WRITABLE = 0x07;

    final byte[] cmask;
    final byte[] wmask;
    final byte[] w1cmask;

    private QemuConfigMasks(int size) {
        cmask = new byte[size];
        wmask = new byte[size];
        w1cmask = new byte[size];
    }

    /** The bits of byte {@code b} QEMU checks on load. */
    int checked(int b) {
        return cmask[b] & ~wmask[b] & ~w1cmask[b] & 0xFF;
    }

    /**
     * QEMU's masks for a device whose config space vfio shows as {@code host}, with vPASID at
     * {@code vpasid} when QEMU inserted one.
     */
    static QemuConfigMasks of(ConfigSpace host, OptionalInt vpasid) {
        int size = host.length();
        QemuConfigMasks m = new QemuConfigMasks(size);
        m.header(host);
        CapabilityChain chain = CapabilityChain.walk(host);
        for (Capability c : chain.standard()) {
            if (c.offset() >= ConfigSpace.HEADER_SIZE) {
                m.standard(host, c, nextHigher(chain.standard(), c.offset(), ConfigSpace.CONVENTIONAL_SIZE));
            }
        }
        for (Capability c : chain.extended()) {
            boolean dropped = c.id() == 0 || c.is(ExtendedCapability.SRIOV) || c.is(ExtendedCapability.ARI);
            if (!dropped) {
                m.set(m.cmask, c.offset(), nextHigher(chain.extended(), c.offset(), size), 0xFF);
                m.set(m.wmask, c.offset(), nextHigher(chain.extended(), c.offset(), size), 0);
            }
        }
        vpasid.ifPresent(at -> {
            m.set(m.cmask, at, at + 8, 0xFF);
            m.set(m.wmask, at, at + 8, 0);
            m.wmask[at + 6] = PASID_CONTROL_WRITABLE;
        });
        return m;
    }

    private void header(ConfigSpace host) {
        // pci_init_wmask
        set(wmask, ConfigSpace.HEADER_SIZE, wmask.length, 0xFF);
        wmask[Header.COMMAND] = (byte) COMMAND_WRITABLE;
        wmask[Header.COMMAND + 1] = (byte) (COMMAND_WRITABLE >> 8);
        wmask[Header.CACHE_LINE_SIZE] = (byte) 0xFF;
        wmask[Header.INTERRUPT_LINE] = (byte) 0xFF;
        // pci_init_cmask
        set(cmask, Header.VENDOR_ID, Header.COMMAND, 0xFF);
        cmask[Header.STATUS] = CAP_LIST;
        set(cmask, Header.REVISION_ID, Header.CACHE_LINE_SIZE, 0xFF);
        cmask[Header.HEADER_TYPE] = (byte) 0xFF;
        cmask[Header.CAPABILITIES_POINTER] = (byte) 0xFF;
        // pci_register_bar: the type bits of each implemented BAR
        if (Header.type(host) == Header.TYPE_NORMAL) {
            for (int i = 0; i < Header.BAR_COUNT_TYPE0; i++) {
                int at = Header.BAR0 + 4 * i;
                int bar = host.u32(at);
                if (bar == 0) {
                    continue;
                }
                boolean io = (bar & 1) != 0;
                cmask[at] = (byte) (io ? 0x03 : 0x0F);
                wmask[at] = 0;
                if (!io && (bar & 0x6) == 0x4) {
                    i++; // a 64-bit BAR: its upper half is address bits, all writable
                }
            }
        }
    }

    private void standard(ConfigSpace host, Capability c, int next) {
        int at = c.offset();
        int end = next;
        if (c.is(StandardCapability.MSI) || c.is(StandardCapability.MSIX) || c.is(StandardCapability.PM)) {
            end = Math.min(next, at + c.length()); // msi_init, msix_init and pci_pm_init add their own sizes
        }
        set(cmask, at, end, 0xFF);
        set(wmask, at, end, 0);
        if (c.is(StandardCapability.VENDOR) && end - at > 3) {
            set(cmask, at + 3, end, 0); // vfio_add_vendor_specific_cap with skip-vsc-check (the default)
        } else if (c.is(StandardCapability.MSI)) {
            int flags = host.u16(at + 2);
            boolean is64 = (flags & 0x80) != 0;
            wmask[at + 2] = MSI_FLAGS_WRITABLE;
            set(wmask, at + 4, at + 8, 0xFF);
            wmask[at + 4] = (byte) 0xFC;
            int data = is64 ? at + 0x0C : at + 0x08;
            if (is64) {
                set(wmask, at + 8, at + 0x0C, 0xFF);
            }
            set(wmask, data, data + 2, 0xFF);
            if ((flags & 0x100) != 0) {
                int vectors = 1 << ((flags >> 1) & 0x7);
                int mask = (int) (0xFFFF_FFFFL >>> (32 - vectors));
                for (int i = 0; i < 4; i++) {
                    wmask[data + 4 + i] = (byte) (mask >>> 8 * i);
                }
            }
        } else if (c.is(StandardCapability.MSIX)) {
            wmask[at + 3] = (byte) MSIX_FLAGS_WRITABLE_HIGH;
        } else if (c.is(StandardCapability.PM)) {
            wmask[at + 4] = PMCSR_WRITABLE;
        }
    }

    /** The offset of the capability after {@code at} in address order, or {@code limit}. */
    private static int nextHigher(List<Capability> list, int at, int limit) {
        int next = limit;
        for (Capability c : list) {
            if (c.offset() > at && c.offset() < next) {
                next = c.offset();
            }
        }
        return next;
    }

    private void set(byte[] mask, int from, int to, int value) {
        java.util.Arrays.fill(mask, from, Math.min(to, mask.length), (byte) value);
    }
}
