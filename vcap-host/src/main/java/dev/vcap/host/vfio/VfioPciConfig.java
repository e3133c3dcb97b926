package dev.vcap.host.vfio;

import static dev.vcap.host.PciRegs.*;

import dev.vcap.host.ConfigRegion;
import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.Header;
import java.util.Arrays;
import java.util.Optional;

/**
 * vfio-pci's config region for one function, built as Linux 6.15's {@code vfio_config_init} builds
 * it and served as {@code vfio_config_do_rw} serves it:
 *
 * <ul>
 *   <li>a byte map names the capability owning each byte (or none); each capability's permission
 *       table ({@link VfioPermissions}) decides what reads see and where writes go;</li>
 *   <li>standard and extended lists are walked with vfio's lengths ({@link VfioCapLengths}); a
 *       capability of length 0 is unlinked by rewriting the previous next pointer in the virtual
 *       copy — PASID and every ID past vfio's table among them — except a hidden first extended
 *       capability, which stays at 0x100 as a 4-byte stub with ID 0, version 0 and its next
 *       pointer;</li>
 *   <li>bytes no visible capability owns — gaps, and by the same path the bodies of hidden
 *       capabilities — are raw read/write to the device; so are VSEC, DVSEC and the standard vendor
 *       capability;</li>
 *   <li>capabilities without a table (ATS, PRI, SR-IOV, ...) read through with a virtual header and
 *       drop writes;</li>
 *   <li>on a VF: Vendor and Device ID come from the PCI core (the device reads 0xFFFF), Interrupt
 *       Pin reads 0, and Memory Space Enable reads as last written.</li>
 * </ul>
 *
 * A {@link PasidOption} other than {@link PasidOption.Hidden} adds an emulated PASID capability (see
 * {@link #pasidExposure()}). Accesses are split at dword and capability boundaries as vfio splits
 * them. Thread-safe.
 */
public final class VfioPciConfig implements ConfigRegion {

    /** PCI_CAP_ID_INVALID: no capability owns the byte (raw access). */
    static final int INVALID = -1;
    /** PCI_CAP_ID_INVALID_VIRT: vfio emulates the byte. */
    static final int INVALID_VIRT = -2;
    /** The emulated PASID capability of a kernel option. */
    static final int EMULATED_PASID = -3;

    private final VfioPciBackend dev;
    private final ConfigRegion hw;
    private final int cfgSize;
    private final int[] map;
    private final ConfigSpace vconfig;
    private final VfioPciBackend.Resource[] resources;
    private PermBits msiPerm;
    private boolean extendedCaps;
    private boolean stubAtFirstExtended;
    /** {@code vdev->pci_2_3}: the device's INTx Disable is writable (pci_intx_mask_supported). */
    private final boolean intxMask;
    /** {@code vdev->virq_disabled}: the user's INTx Disable as vfio last followed it. */
    private boolean virqDisabled;
    /**
     * {@code vdev->msi_qmax}: log2 of the MSI vectors last enabled through VFIO_DEVICE_SET_IRQS, the
     * cap vfio_msi_config_write puts on Multiple Message Enable. The model has no SET_IRQS, so it
     * stays 0, what vfio starts with (a user that enables one vector keeps it 0 too).
     */
    private static final int MSI_QMAX = 0;
    private final PasidExposure pasid;
    /**
     * Per byte, where {@code vfio_find_cap_start} finds its structure to start; and per dword,
     * whether all four bytes are raw (no visible capability owns them): the map is final once built,
     * so both are computed once, and most reads of extended space take the raw path.
     */
    private final int[] start;
    private final boolean[] rawDword;

    public VfioPciConfig(VfioPciBackend dev, PasidOption option) {
        this.dev = dev;
        this.hw = dev.hardware();
        this.cfgSize = hw.size();
        this.map = new int[cfgSize];
        this.vconfig = ConfigSpace.allocate(cfgSize);
        this.resources = dev.resources();
        this.intxMask = dev.intxMaskSupported();
        Arrays.fill(map, 0, ConfigSpace.HEADER_SIZE, VfioCapLengths.CAP_ID_BASIC);
        Arrays.fill(map, ConfigSpace.HEADER_SIZE, cfgSize, INVALID);
        fill(0, ConfigSpace.HEADER_SIZE);
        if (dev.isVirtfn()) {
            vconfig.setU16(Header.VENDOR_ID, dev.vendor());
            vconfig.setU16(Header.DEVICE_ID, dev.device());
            vconfig.setU8(Header.INTERRUPT_PIN, 0);
        }
        capInit();
        ecapInit();
        this.pasid = emulatePasid(option);
        this.start = new int[cfgSize];
        this.rawDword = new boolean[cfgSize / 4];
        for (int pos = 0; pos < cfgSize; pos++) {
            // findCapStart's walk back, one byte at a time: a byte continuing its left neighbour's
            // structure starts where the neighbour does
            int base = pos >= ConfigSpace.CONVENTIONAL_SIZE ? ConfigSpace.CONVENTIONAL_SIZE : ConfigSpace.HEADER_SIZE;
            boolean continues = pos >= ConfigSpace.HEADER_SIZE && pos - 1 >= base && map[pos - 1] == map[pos]
                    && (map[pos] >= 0 || map[pos] == EMULATED_PASID);
            start[pos] = continues ? start[pos - 1] : findCapStart(pos);
        }
        for (int d = 0; d < rawDword.length; d++) {
            int p = 4 * d;
            rawDword[d] = map[p] == INVALID && map[p + 1] == INVALID && map[p + 2] == INVALID && map[p + 3] == INVALID;
        }
    }

    // ------------------------------------------------------------------ building

    private void fill(int offset, int size) {
        int end = Math.min(offset + size, cfgSize);
        for (int p = offset; p < end;) {
            if (end - p >= 4 && p % 4 == 0) {
                vconfig.setU32(p, hw.read(p, 4));
                p += 4;
            } else if (end - p >= 2 && p % 2 == 0) {
                vconfig.setU16(p, hw.read(p, 2));
                p += 2;
            } else {
                vconfig.setU8(p, hw.read(p, 1));
                p++;
            }
        }
    }

    private void mark(int pos, int len, int id) {
        Arrays.fill(map, pos, Math.min(pos + len, cfgSize), id);
    }

    /** vfio_cap_init. */
    private void capInit() {
        if ((hw.read(Header.STATUS, 2) & STATUS_CAP_LIST) == 0) {
            return;
        }
        int pos = hw.read(Header.CAPABILITIES_POINTER, 1);
        int prev = Header.CAPABILITIES_POINTER;
        int loops = (ConfigSpace.CONVENTIONAL_SIZE - ConfigSpace.HEADER_SIZE) / 4;
        int caps = 0;
        while (pos != 0 && loops-- > 0) {
            int cap = hw.read(pos, 1);
            int next = pos + 1 < cfgSize ? hw.read(pos + 1, 1) : 0;
            int len = VfioCapLengths.capLength(hw, cap, pos);
            if (cap == 0x10 || cap == 0x07 && len == 24) {
                extendedCaps = cfgSize > ConfigSpace.CONVENTIONAL_SIZE && hw.read(ConfigSpace.CONVENTIONAL_SIZE, 4) != 0;
            }
            if (len == 0) {
                vconfig.setU8(prev, next);
                pos = next;
                continue;
            }
            if (cap == 0x05 && msiPerm == null) {
                msiPerm = VfioPermissions.msi(len, hw.read(pos + MSI_FLAGS, 2));
            }
            len = Math.min(len, ConfigSpace.CONVENTIONAL_SIZE - pos);
            mark(pos, len, cap);
            fill(pos, len);
            if (cap == 0x01 && len >= 8) {
                // vfio_update_pm_vconfig_bytes: the guest cannot take PME, so none is advertised
                vconfig.setU16(pos + PM_PMC, vconfig.u16(pos + PM_PMC) & ~PM_CAP_PME_MASK);
                vconfig.setU16(pos + PM_CTRL, vconfig.u16(pos + PM_CTRL) & ~(PM_CTRL_PME_ENABLE | PM_CTRL_PME_STATUS));
            }
            prev = pos + 1;
            pos = next;
            caps++;
        }
        if (caps == 0) {
            vconfig.setU16(Header.STATUS, vconfig.u16(Header.STATUS) & ~STATUS_CAP_LIST);
        }
    }

    /** vfio_ecap_init. */
    private void ecapInit() {
        if (!extendedCaps) {
            return;
        }
        int epos = ConfigSpace.CONVENTIONAL_SIZE;
        int prev = -1;
        int loops = (cfgSize - ConfigSpace.CONVENTIONAL_SIZE) / 4;
        int ecaps = 0;
        while (loops-- > 0 && epos >= ConfigSpace.CONVENTIONAL_SIZE && epos + 4 <= cfgSize) {
            int header = hw.read(epos, 4);
            int ecap = ExtendedCapability.headerId(header);
            int next = ExtendedCapability.headerNext(header);
            int len = VfioCapLengths.extCapLength(hw, ecap, epos);
            boolean hidden = false;
            if (len == 0) {
                if (prev >= 0) {
                    vconfig.setU32(prev, vconfig.u32(prev) & ~(0xFFC << 20) | next << 20);
                    epos = next;
                    continue;
                }
                len = 4;
                hidden = true;
            }
            mark(epos, len, ecap);
            fill(epos, len);
            if (hidden) {
                vconfig.setU32(epos, vconfig.u32(epos) & 0xFFC << 20);
                stubAtFirstExtended = true;
            } else {
                ecaps++;
            }
            prev = epos;
            epos = next;
        }
        if (ecaps == 0) {
            vconfig.setU32(ConfigSpace.CONVENTIONAL_SIZE, 0);
        }
    }

    // ------------------------------------------------------------------ kernel options

    private PasidExposure emulatePasid(PasidOption option) {
        if (option instanceof PasidOption.Hidden) {
            return PasidExposure.none(option, "Linux 6.15 hides PASID (pci_ext_cap_length[PASID] = 0)");
        }
        if (!extendedCaps) {
            return PasidExposure.none(option, "the function shows no extended capabilities");
        }
        int width = dev.pasidWidth();
        if (width == 0) {
            return PasidExposure.none(option, "the IOMMU reports no PASID for this device (max_pasids is 0)");
        }
        ConfigRegion pf = dev.physfnHardware();
        int pfPasid = findExtended(pf, ExtendedCapability.PASID.id());
        int offset;
        String source;
        switch (option) {
            case PasidOption.PhysicalOffset p -> {
                if (pfPasid == 0) {
                    return PasidExposure.none(option, "the PF has no physical PASID capability to mirror");
                }
                offset = pfPasid;
                source = dev.isVirtfn() ? "the PF's PASID offset" : "the physical PASID offset";
            }
            case PasidOption.DvsecOffset d -> {
                ConfigRegion in = hw;
                String where = "the function's";
                int at = findDvsec(hw, d);
                if (at == 0 && dev.isVirtfn()) {
                    in = pf;
                    at = findDvsec(pf, d);
                    where = "the PF's";
                }
                if (at == 0) {
                    return PasidExposure.none(option, String.format("no DVSEC %04x:%04x names an offset",
                            d.dvsecVendor(), d.dvsecId()));
                }
                offset = in.read(at + PasidOption.DvsecOffset.OFFSET_REGISTER, 2);
                source = String.format("%s DVSEC %04x:%04x at 0x%03x", where, d.dvsecVendor(), d.dvsecId(), at);
            }
            case PasidOption.LookupTable t -> {
                Integer o = t.offsets().get(PasidOption.LookupTable.key(dev.vendor(), dev.device()));
                if (o == null) {
                    return PasidExposure.none(option, String.format("the look-up table has no entry for %04x:%04x",
                            dev.vendor(), dev.device()));
                }
                offset = o;
                source = String.format("the look-up table entry for %04x:%04x", dev.vendor(), dev.device());
            }
            case PasidOption.Hidden h -> throw new AssertionError(h);
        }
        if (offset % 4 != 0 || offset < ConfigSpace.CONVENTIONAL_SIZE || offset + PASID_SIZEOF > cfgSize) {
            return PasidExposure.none(option, String.format("%s gives 0x%x: not a dword-aligned offset in"
                    + " 0x100..0x%x", source, offset, cfgSize - PASID_SIZEOF));
        }
        for (int i = offset; i < offset + PASID_SIZEOF; i++) {
            boolean stub = stubAtFirstExtended && i < ConfigSpace.CONVENTIONAL_SIZE + 4;
            if (map[i] != INVALID && !stub) {
                return PasidExposure.none(option, String.format("%s gives 0x%03x, which collides with %s at 0x%03x",
                        source, offset, owner(i), i));
            }
        }
        install(offset, width, pfPasid == 0 ? 0 : pf.read(pfPasid + PASID_CTRL, 2));
        return new PasidExposure(option, offset, "emulated at 0x" + Integer.toHexString(offset) + " from " + source);
    }

    private void install(int offset, int width, int pfControl) {
        int first = ConfigSpace.CONVENTIONAL_SIZE;
        int next = 0;
        if (offset == first) {
            next = stubAtFirstExtended ? ExtendedCapability.headerNext(vconfig.u32(first)) : 0;
            stubAtFirstExtended = false;
        } else if (vconfig.u32(first) == 0) {
            // an empty list needs an anchor at 0x100 pointing here
            if (map[first] == INVALID) {
                mark(first, 4, INVALID_VIRT);
            }
            vconfig.setU32(first, ExtendedCapability.header(0, 0, offset));
        } else {
            int tail = first;
            for (int loops = cfgSize / 4; loops > 0; loops--) {
                int n = ExtendedCapability.headerNext(vconfig.u32(tail));
                if (n < first) {
                    break;
                }
                tail = n;
            }
            int h = vconfig.u32(tail);
            vconfig.setU32(tail, h & ~(0xFFC << 20) | offset << 20);
        }
        mark(offset, PASID_SIZEOF, EMULATED_PASID);
        vconfig.setU32(offset, ExtendedCapability.header(ExtendedCapability.PASID.id(), 1, next));
        vconfig.setU16(offset + PASID_CAP, width << PASID_CAP_WIDTH_SHIFT
                | pfControl & (PASID_CTRL_EXEC | PASID_CTRL_PRIV));
        vconfig.setU16(offset + PASID_CTRL, 0);
    }

    private static int findExtended(ConfigRegion r, int id) {
        if (r.size() <= ConfigSpace.CONVENTIONAL_SIZE) {
            return 0;
        }
        int pos = ConfigSpace.CONVENTIONAL_SIZE;
        for (int loops = (r.size() - pos) / 4; loops > 0 && pos >= ConfigSpace.CONVENTIONAL_SIZE; loops--) {
            int h = r.read(pos, 4);
            if (h == 0 || h == -1) {
                return 0;
            }
            if (ExtendedCapability.headerId(h) == id) {
                return pos;
            }
            pos = ExtendedCapability.headerNext(h);
        }
        return 0;
    }

    private static int findDvsec(ConfigRegion r, PasidOption.DvsecOffset d) {
        if (r.size() <= ConfigSpace.CONVENTIONAL_SIZE) {
            return 0;
        }
        int pos = ConfigSpace.CONVENTIONAL_SIZE;
        for (int loops = (r.size() - pos) / 4; loops > 0 && pos >= ConfigSpace.CONVENTIONAL_SIZE; loops--) {
            int h = r.read(pos, 4);
            if (h == 0 || h == -1) {
                return 0;
            }
            if (ExtendedCapability.headerId(h) == ExtendedCapability.DVSEC.id() && pos + 0x0C <= r.size()
                    && r.read(pos + DVSEC_HEADER1, 2) == d.dvsecVendor()
                    && r.read(pos + DVSEC_HEADER2, 2) == d.dvsecId()) {
                return pos;
            }
            pos = ExtendedCapability.headerNext(h);
        }
        return 0;
    }

    private String owner(int pos) {
        int id = map[pos];
        if (id == INVALID_VIRT) {
            return "a vfio-emulated region";
        }
        if (pos < ConfigSpace.HEADER_SIZE) {
            return "the header";
        }
        CapabilitySpace space = pos >= ConfigSpace.CONVENTIONAL_SIZE ? CapabilitySpace.EXTENDED : CapabilitySpace.STANDARD;
        return CapabilityKind.nameOf(space, id) + " (at 0x" + Integer.toHexString(findCapStart(pos)) + ")";
    }

    // ------------------------------------------------------------------ access

    /** The PASID decision of the option this view was built with. */
    public PasidExposure pasidExposure() {
        return pasid;
    }

    /** The permission table serving a byte, as {@code vfio_config_do_rw} picks it. */
    public synchronized PermBits permissionsAt(int pos) {
        ConfigRegion.checkAccess(cfgSize, pos, 1);
        return perms(pos);
    }

    /** A copy of vfio's virtual config bytes ({@code vdev->vconfig}). */
    public synchronized ConfigSpace virtualCopy() {
        return vconfig.copy();
    }

    /**
     * The capability ID vfio's map gives a byte: the owning capability's ID, or empty for a byte
     * no visible capability owns (and for vfio-emulated bytes).
     */
    public synchronized Optional<Integer> ownerId(int pos) {
        ConfigRegion.checkAccess(cfgSize, pos, 1);
        int id = map[pos];
        if (id == EMULATED_PASID) {
            return Optional.of(ExtendedCapability.PASID.id());
        }
        return id < 0 ? Optional.empty() : Optional.of(id);
    }

    @Override
    public int size() {
        return cfgSize;
    }

    @Override
    public synchronized int read(int offset, int width) {
        ConfigRegion.checkAccess(cfgSize, offset, width);
        if (width == 4 && (offset & 3) == 0 && rawDword[offset >>> 2]) {
            return hw.read(offset, 4); // one raw chunk: what the loop below does for it
        }
        int value = 0;
        for (int done = 0; done < width;) {
            int pos = offset + done;
            int count = chunk(pos, width - done);
            value |= readChunk(pos, count) << (8 * done);
            done += count;
        }
        return width == 4 ? value : value & ((1 << (8 * width)) - 1);
    }

    @Override
    public synchronized void write(int offset, int width, int value) {
        ConfigRegion.checkAccess(cfgSize, offset, width);
        for (int done = 0; done < width;) {
            int pos = offset + done;
            int count = chunk(pos, width - done);
            writeChunk(pos, count, value >>> (8 * done) & mask(count));
            done += count;
        }
    }

    private int chunk(int pos, int remaining) {
        int same = 1;
        while ((pos + same) % 4 != 0 && pos + same < cfgSize && map[pos + same] == map[pos]) {
            same++;
        }
        int count = Math.min(remaining, same);
        if (count >= 4 && pos % 4 == 0) {
            return 4;
        }
        if (count >= 2 && pos % 2 == 0) {
            return 2;
        }
        return 1;
    }

    private static int mask(int count) {
        return count == 4 ? -1 : (1 << (8 * count)) - 1;
    }

    private PermBits perms(int pos) {
        int id = map[pos];
        if (id == INVALID) {
            return VfioPermissions.UNASSIGNED;
        }
        if (id == INVALID_VIRT) {
            return VfioPermissions.VIRTUAL;
        }
        if (id == EMULATED_PASID) {
            return VfioPermissions.EMULATED_PASID;
        }
        if (pos >= ConfigSpace.CONVENTIONAL_SIZE) {
            return VfioPermissions.ecap(id);
        }
        if (id == 0x05 && msiPerm != null) {
            return msiPerm;
        }
        return VfioPermissions.cap(id);
    }

    /** vfio_find_cap_start, as computed once per byte when the map was built. */
    private int capStart(int pos) {
        return start[pos];
    }

    /** vfio_find_cap_start. */
    private int findCapStart(int pos) {
        int id = map[pos];
        if (id < 0 && id != EMULATED_PASID) {
            return pos;
        }
        if (pos < ConfigSpace.HEADER_SIZE) {
            return 0;
        }
        int base = pos >= ConfigSpace.CONVENTIONAL_SIZE ? ConfigSpace.CONVENTIONAL_SIZE : ConfigSpace.HEADER_SIZE;
        while (pos - 1 >= base && map[pos - 1] == id) {
            pos--;
        }
        return pos;
    }

    private int readChunk(int pos, int count) {
        PermBits perm = perms(pos);
        int offset = pos - capStart(pos);
        // vfio_msi_config_read means to show msi_qmax as Multiple Message Capable but writes it into
        // vconfig at the capability's start (its ID byte, which MSI's table reads from the device),
        // not into Message Control: Multiple Message Capable reads as the user last wrote it. Linux
        // 7.3.4 shows exactly that (ConfigViewKernelTest); the model does what the kernel does.
        return switch (perm.read()) {
            case RAW -> hw.read(pos, count);
            case VIRT -> vconfig.read(pos, count);
            case DEFAULT -> defaultRead(pos, count, perm, offset);
            case DIRECT -> directRead(pos, count, offset);
            case BASIC -> {
                if (isBar(offset)) {
                    barFixup();
                }
                int v = defaultRead(pos, count, perm, offset);
                if (offset == Header.COMMAND && dev.isVirtfn()) {
                    v |= vconfig.u16(Header.COMMAND) & COMMAND_MEMORY;
                }
                yield v;
            }
        };
    }

    private int defaultRead(int pos, int count, PermBits perm, int offset) {
        int v = vconfig.read(pos, count);
        int virt = perm.virt(offset, count);
        if (virt != mask(count)) {
            int phys = hw.read(pos, count);
            v = phys & ~virt | v & virt;
        }
        return v;
    }

    private int directRead(int pos, int count, int offset) {
        int v = hw.read(pos, count);
        if (pos >= ConfigSpace.CONVENTIONAL_SIZE) {
            if (offset < 4) {
                v = vconfig.read(pos, count);
            }
        } else if (pos >= ConfigSpace.HEADER_SIZE) {
            if (offset == 0 && count > 1) {
                v = v & ~0xFFFF | vconfig.u16(pos);
            } else if (offset == 1) {
                v = v & ~0xFF | vconfig.u8(pos);
            }
        }
        return v;
    }

    private void writeChunk(int pos, int count, int val) {
        PermBits perm = perms(pos);
        int start = capStart(pos);
        int offset = pos - start;
        switch (perm.writeFn()) {
            case DROP -> {
            }
            case RAW -> hw.write(pos, count, val);
            case VIRT -> vconfig.write(pos, count, val);
            case DEFAULT -> defaultWrite(pos, count, perm, offset, val);
            case BASIC -> {
                defaultWrite(pos, count, perm, offset, val);
                if (offset == Header.COMMAND) {
                    int m = COMMAND_MEMORY | COMMAND_IO;
                    vconfig.setU16(Header.COMMAND, vconfig.u16(Header.COMMAND) & ~m | val & m);
                }
                if (offset >= Header.COMMAND && offset <= Header.COMMAND + 1) {
                    followIntxDisable();
                }
            }
            case PM -> {
                defaultWrite(pos, count, perm, offset, val);
                if (offset == PM_CTRL) {
                    dev.setPowerState(val & PM_CTRL_STATE_MASK);
                }
            }
            case EXP -> {
                int readrq = vconfig.u16(start + EXP_DEVCTL) & EXP_DEVCTL_READRQ;
                defaultWrite(pos, count, perm, offset, val);
                int ctrl = vconfig.u16(start + EXP_DEVCTL);
                if ((ctrl & EXP_DEVCTL_BCR_FLR) != 0) {
                    ctrl &= ~EXP_DEVCTL_BCR_FLR;
                    vconfig.setU16(start + EXP_DEVCTL, ctrl);
                    if ((hw.read(start + EXP_DEVCAP, 4) & EXP_DEVCAP_FLR) != 0) {
                        dev.resetFunction();
                    }
                }
                if ((ctrl & EXP_DEVCTL_READRQ) != readrq) {
                    int rq = EXP_SIZE_UNIT << ((ctrl & EXP_DEVCTL_READRQ) >>> EXP_DEVCTL_READRQ_SHIFT);
                    int mps = EXP_SIZE_UNIT << ((hw.read(start + EXP_DEVCTL, 2) & EXP_DEVCTL_PAYLOAD)
                            >>> EXP_DEVCTL_PAYLOAD_SHIFT);
                    setReadRequestSize(start, Math.max(rq, mps));
                }
            }
            case AF -> {
                defaultWrite(pos, count, perm, offset, val);
                int ctrl = vconfig.u8(start + AF_CTRL);
                if ((ctrl & AF_CTRL_FLR) != 0) {
                    vconfig.setU8(start + AF_CTRL, ctrl & ~AF_CTRL_FLR);
                    int cap = hw.read(start + AF_CAP, 1);
                    if ((cap & AF_CAP_FLR) != 0 && (cap & AF_CAP_TP) != 0) {
                        dev.resetFunction();
                    }
                }
            }
            case MSI -> {
                defaultWrite(pos, count, perm, offset, val);
                if (offset <= MSI_FLAGS && offset + count >= MSI_FLAGS) {
                    // MSI is enabled through VFIO_DEVICE_SET_IRQS, never by a config write; Multiple
                    // Message Enable is capped at msi_qmax
                    int flags = vconfig.u16(start + MSI_FLAGS) & ~MSI_FLAGS_ENABLE;
                    if ((flags & MSI_FLAGS_QSIZE) >>> 4 > MSI_QMAX) {
                        flags = flags & ~MSI_FLAGS_QSIZE | MSI_QMAX << 4;
                    }
                    vconfig.setU16(start + MSI_FLAGS, flags);
                    hw.write(start + MSI_FLAGS, 2, flags);
                }
            }
        }
    }

    /**
     * vfio_basic_config_write's INTx emulation with no INTx interrupt set up (the model has no
     * VFIO_DEVICE_SET_IRQS): when the user's INTx Disable changes, {@code __vfio_pci_intx_mask} /
     * {@code vfio_pci_intx_unmask_handler} make the device's bit follow it with {@code pci_intx}, on
     * a device whose INTx Disable is writable. Linux 7.3.4 does this on QEMU's e1000e, nvme and
     * virtio-net (kernel/harness.sh, ConfigViewKernelTest).
     */
    private void followIntxDisable() {
        boolean disable = (vconfig.u16(Header.COMMAND) & COMMAND_INTX_DISABLE) != 0;
        if (disable == virqDisabled) {
            return;
        }
        virqDisabled = disable;
        if (intxMask) {
            int old = hw.read(Header.COMMAND, 2);
            int cmd = disable ? old | COMMAND_INTX_DISABLE : old & ~COMMAND_INTX_DISABLE;
            if (cmd != old) {
                hw.write(Header.COMMAND, 2, cmd);
            }
        }
    }

    /**
     * {@code pcie_set_readrq} as vfio_exp_config_write calls it when the user changes Max Read
     * Request Size: the user's size, raised to the device's Max Payload Size
     * ({@code pcie_get_mps}), is written into the device's Device Control. A size the encoding
     * cannot hold (the reserved values 8192 and 16384) is refused with EINVAL, which vfio ignores:
     * the device keeps its value while the user reads back what it wrote. Not modelled: the
     * {@code pci=pcie_bus_perf} clamp to Max Payload Size and a host bridge's {@code no_inc_mrrs}.
     */
    private void setReadRequestSize(int pcieCap, int rq) {
        if (rq > EXP_MAX_READ_REQUEST) {
            return;
        }
        int field = Integer.numberOfTrailingZeros(rq / EXP_SIZE_UNIT) << EXP_DEVCTL_READRQ_SHIFT;
        int ctl = hw.read(pcieCap + EXP_DEVCTL, 2);
        hw.write(pcieCap + EXP_DEVCTL, 2, ctl & ~EXP_DEVCTL_READRQ | field);
    }

    private void defaultWrite(int pos, int count, PermBits perm, int offset, int val) {
        int write = perm.write(offset, count);
        if (write == 0) {
            return;
        }
        int virt = perm.virt(offset, count);
        if ((write & virt) != 0) {
            int v = vconfig.read(pos, count);
            vconfig.write(pos, count, v & ~(write & virt) | val & write & virt);
        }
        int toHw = write & ~virt & mask(count);
        if (toHw != 0) {
            int phys = hw.read(pos, count);
            hw.write(pos, count, phys & ~toHw | val & toHw);
        }
    }

    private static boolean isBar(int offset) {
        return offset >= 0x10 && offset < 0x28 || offset >= Header.ROM_ADDRESS_TYPE0 && offset < Header.ROM_ADDRESS_TYPE0 + 4;
    }

    /** vfio_bar_fixup: BAR sizing on the virtual BARs. */
    private void barFixup() {
        for (int i = 0; i < 6; i++) {
            int at = 0x10 + 4 * i;
            VfioPciBackend.Resource r = resources[i];
            if (!r.present()) {
                vconfig.setU32(at, 0);
                continue;
            }
            long mask = ~(r.size() - 1);
            int bar = vconfig.u32(at) & (int) mask;
            bar |= (r.flags() & VfioPciBackend.Resource.IO) != 0 ? VfioPciBackend.Resource.IO
                    : r.flags() & (VfioPciBackend.Resource.MEM_64 | VfioPciBackend.Resource.PREFETCH);
            vconfig.setU32(at, bar);
            if ((bar & VfioPciBackend.Resource.IO) == 0 && (bar & VfioPciBackend.Resource.MEM_64) != 0 && i < 5) {
                i++;
                vconfig.setU32(at + 4, vconfig.u32(at + 4) & (int) (mask >>> 32));
            }
        }
        VfioPciBackend.Resource rom = resources[6];
        if (rom.present()) {
            long mask = ~(rom.size() - 1) | 1;
            vconfig.setU32(Header.ROM_ADDRESS_TYPE0, vconfig.u32(Header.ROM_ADDRESS_TYPE0) & (int) mask);
        } else {
            vconfig.setU32(Header.ROM_ADDRESS_TYPE0, 0);
        }
    }
}
