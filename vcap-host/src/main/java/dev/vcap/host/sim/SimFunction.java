package dev.vcap.host.sim;

import static dev.vcap.host.PciRegs.*;

import dev.vcap.host.ConfigRegion;
import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.Header;
import dev.vcap.pci.config.PciAddress;
import java.util.Arrays;

/**
 * One simulated PCI function as hardware: its config-space registers with their access types, what
 * a write does to them, and function-level reset. This is what the kernel's config accessors reach;
 * the PCI core's view ({@link SimPciDev}) and vfio's view sit on top.
 *
 * <p>Access types: every byte has a writable mask and a write-1-to-clear mask, as registers do.
 * Header IDs, class, capability headers and read-only capability registers ignore writes; bytes
 * outside any register the model knows (gaps between capabilities, bodies of capabilities it does
 * not model) store what is written, like the hidden vendor registers real devices keep there.
 * BARs are read-only (the model does not relocate BARs).
 *
 * <p>Modelled registers (PCIe base spec, access types as in DOMAIN.md section 4):
 * <ul>
 *   <li>PASID: Capability read-only; Control Enable RW, Exec/Privileged Enable RW only when
 *       supported.</li>
 *   <li>PRI: Control Enable RW, Reset writes 1 and reads 0; Status Response Failure and Unexpected
 *       PRG Index RW1C, Stopped read-only and set exactly when Enable is clear and no page request
 *       is outstanding ({@link #setPageRequestsOutstanding}), PRG Response PASID Required
 *       read-only; Capacity read-only; Allocation RW.</li>
 *   <li>ATS: Capability read-only; Control Enable RW, Smallest Translation Unit RW on a PF and
 *       read-only zero on a VF (the PF's value applies to its VFs).</li>
 *   <li>PCI Express Device Control bit 15 (Initiate FLR) starts a function-level reset and reads 0.</li>
 * </ul>
 *
 * <p>A function-level reset ({@link #flr()}) returns Command, PASID Control, PRI Control, Status
 * and Allocation, ATS Control, MSI and MSI-X enables and the power state to their reset values and
 * drops outstanding page requests (PRI then reads Stopped).
 *
 * <p>Thread-safe: accesses are serialized on the function.
 */
public final class SimFunction implements ConfigRegion {

    /** Offset of the ext capability ID-0 header a VF gets when 0x100 holds nothing it keeps. */
    static final int FIRST_EXTENDED = ConfigSpace.CONVENTIONAL_SIZE;

    private final PciAddress address;
    private final ConfigSpace regs;
    private final byte[] wmask;
    private final byte[] w1cmask;
    private final SimFunction physfn;
    private final int vfIndex;
    private final long[] barSizes;

    private final int pcieCap;
    private final int pmCap;
    private final int msiCap;
    private final int msixCap;
    private final int pasidCap;
    private final int priCap;
    private final int atsCap;
    private final int sriovCap;

    private boolean pageRequestsOutstanding;
    private long resets;

    /**
     * A physical function from captured bytes.
     *
     * @param image    config-space bytes; images shorter than 256 bytes are zero-extended to 256,
     *                 extended images cut short are zero-extended to 4096
     * @param barSizes sizes of BAR0..BAR5 and the ROM (7 entries, 0 = unimplemented), or null to take
     *                 each implemented BAR's size as the alignment of its address
     */
    public SimFunction(PciAddress address, ConfigSpace image, long[] barSizes) {
        this(address, normalized(image), null, -1, barSizes);
    }

    private SimFunction(PciAddress address, ConfigSpace regs, SimFunction physfn, int vfIndex, long[] barSizes) {
        this.address = address;
        this.regs = regs;
        this.physfn = physfn;
        this.vfIndex = vfIndex;
        this.wmask = new byte[regs.length()];
        this.w1cmask = new byte[regs.length()];
        CapabilityChain chain = CapabilityChain.walk(regs);
        this.pcieCap = offsetOf(chain, StandardCapability.PCI_EXPRESS);
        this.pmCap = offsetOf(chain, StandardCapability.PM);
        this.msiCap = offsetOf(chain, StandardCapability.MSI);
        this.msixCap = offsetOf(chain, StandardCapability.MSIX);
        this.pasidCap = offsetOf(chain, ExtendedCapability.PASID);
        this.priCap = offsetOf(chain, ExtendedCapability.PRI);
        this.atsCap = offsetOf(chain, ExtendedCapability.ATS);
        this.sriovCap = offsetOf(chain, ExtendedCapability.SRIOV);
        this.barSizes = barSizes != null ? barSizes.clone() : physfn == null ? alignmentSizes(regs) : new long[7];
        if (this.barSizes.length != 7) {
            throw new IllegalArgumentException("bar sizes: 7 entries (BAR0..BAR5, ROM), got " + this.barSizes.length);
        }
        initMasks(chain);
    }

    private static ConfigSpace normalized(ConfigSpace image) {
        if (image.length() < ConfigSpace.CONVENTIONAL_SIZE) {
            return image.resized(ConfigSpace.CONVENTIONAL_SIZE, 0);
        }
        if (image.length() > ConfigSpace.CONVENTIONAL_SIZE && image.length() < ConfigSpace.EXTENDED_SIZE) {
            return image.resized(ConfigSpace.EXTENDED_SIZE, 0);
        }
        return image.copy();
    }

    private static int offsetOf(CapabilityChain chain, dev.vcap.pci.capability.CapabilityKind kind) {
        return chain.find(kind).map(Capability::offset).orElse(0);
    }

    /** BAR sizes when none were given: each implemented BAR's size is its address's alignment. */
    private static long[] alignmentSizes(ConfigSpace cs) {
        long[] sizes = new long[7];
        if (Header.type(cs) != Header.TYPE_NORMAL) {
            return sizes;
        }
        for (int i = 0; i < 6; i++) {
            int reg = cs.u32(Header.BAR0 + 4 * i);
            if ((reg & 1) != 0) {
                long addr = reg & ~3L & 0xFFFF_FFFFL;
                sizes[i] = addr == 0 ? 0 : Long.lowestOneBit(addr);
                continue;
            }
            boolean is64 = (reg >>> 1 & 3) == 2;
            long addr = reg & ~0xFL & 0xFFFF_FFFFL;
            if (is64 && i < 5) {
                addr |= (long) cs.u32(Header.BAR0 + 4 * (i + 1)) << 32;
            }
            sizes[i] = addr == 0 ? 0 : Long.lowestOneBit(addr);
            if (is64) {
                i++;
            }
        }
        long rom = cs.u32(Header.ROM_ADDRESS_TYPE0) & 0xFFFF_F800L;
        sizes[6] = rom == 0 ? 0 : Long.lowestOneBit(rom);
        return sizes;
    }

    // ------------------------------------------------------------------ access masks

    private void initMasks(CapabilityChain chain) {
        Arrays.fill(wmask, ConfigSpace.HEADER_SIZE, wmask.length, (byte) 0xFF);
        // header: Command, Status (RW1C error bits), cache line size, latency timer, interrupt line
        int command = isVirtfn() ? COMMAND_MASTER | 0x0100 : 0x0547;
        setMask(Header.COMMAND, 2, command, 0);
        setMask(Header.STATUS, 2, 0, 0xF900);
        setMask(Header.CACHE_LINE_SIZE, 1, 0xFF, 0);
        setMask(Header.LATENCY_TIMER, 1, 0xFF, 0);
        setMask(Header.INTERRUPT_LINE, 1, 0xFF, 0);
        for (Capability c : chain.standard()) {
            setMask(c.offset(), 2, 0, 0);
        }
        for (Capability c : chain.extended()) {
            setMask(c.offset(), 4, 0, 0);
        }
        if (pmCap != 0) {
            setMask(pmCap + PM_PMC, 2, 0, 0);
            setMask(pmCap + PM_CTRL, 2, PM_CTRL_STATE_MASK | PM_CTRL_PME_ENABLE, PM_CTRL_PME_STATUS);
            setMask(pmCap + PM_CTRL + 2, 2, 0, 0);
        }
        if (msiCap != 0) {
            setMask(msiCap + MSI_FLAGS, 2, MSI_FLAGS_ENABLE | MSI_FLAGS_QSIZE, 0);
        }
        if (msixCap != 0) {
            setMask(msixCap + MSIX_FLAGS, 2, MSIX_FLAGS_ENABLE | MSIX_FLAGS_MASKALL, 0);
            setMask(msixCap + 4, 8, 0, 0);
        }
        if (pcieCap != 0) {
            setMask(pcieCap + EXP_FLAGS, 6, 0, 0); // flags, Device Capabilities
            setMask(pcieCap + EXP_DEVCTL, 2, 0xFFFF, 0);
            setMask(pcieCap + EXP_DEVSTA, 2, 0, 0x000F);
            setMask(pcieCap + EXP_LNKCAP, 4, 0, 0);
            setMask(pcieCap + EXP_LNKSTA, 2, 0, 0);
            setMask(pcieCap + EXP_DEVCAP2, 4, 0, 0);
        }
        if (pasidCap != 0) {
            int supported = regs.u16(pasidCap + PASID_CAP);
            setMask(pasidCap + PASID_CAP, 2, 0, 0);
            setMask(pasidCap + PASID_CTRL, 2, PASID_CTRL_ENABLE | supported & (PASID_CAP_EXEC | PASID_CAP_PRIV), 0);
        }
        if (priCap != 0) {
            setMask(priCap + PRI_CTRL, 2, PRI_CTRL_ENABLE | PRI_CTRL_RESET, 0);
            setMask(priCap + PRI_STATUS, 2, 0, PRI_STATUS_RF | PRI_STATUS_UPRGI);
            setMask(priCap + PRI_MAX_REQ, 4, 0, 0);
        }
        if (atsCap != 0) {
            setMask(atsCap + ATS_CAP, 2, 0, 0);
            setMask(atsCap + ATS_CTRL, 2, ATS_CTRL_ENABLE | (isVirtfn() ? 0 : ATS_CTRL_STU_MASK), 0);
        }
        if (sriovCap != 0) {
            setMask(sriovCap + SRIOV_CAP, 4, 0, 0);
            setMask(sriovCap + SRIOV_CTRL, 2, 0x001F, 0);
            setMask(sriovCap + SRIOV_STATUS, 2, 0, 0x0001);
            setMask(sriovCap + SRIOV_INITIAL_VF, 4, 0, 0);
            setMask(sriovCap + SRIOV_FUNC_LINK, SRIOV_SYS_PGSIZE - SRIOV_FUNC_LINK, 0, 0);
            setMask(sriovCap + SRIOV_VFM, 4, 0, 0);
        }
    }

    private void setMask(int offset, int length, int writable, int w1c) {
        for (int i = 0; i < length && offset + i < wmask.length; i++) {
            wmask[offset + i] = (byte) (writable >>> (8 * i));
            w1cmask[offset + i] = (byte) (w1c >>> (8 * i));
        }
    }

    // ------------------------------------------------------------------ ConfigRegion

    public PciAddress address() {
        return address;
    }

    @Override
    public int size() {
        return regs.length();
    }

    @Override
    public synchronized int read(int offset, int width) {
        ConfigRegion.checkAccess(regs.length(), offset, width);
        return regs.read(offset, width);
    }

    @Override
    public synchronized void write(int offset, int width, int value) {
        ConfigRegion.checkAccess(regs.length(), offset, width);
        for (int i = 0; i < width; i++) {
            int p = offset + i;
            int val = value >>> (8 * i) & 0xFF;
            int w = wmask[p] & 0xFF;
            int c = w1cmask[p] & 0xFF;
            int old = regs.u8(p);
            regs.setU8(p, (old & ~w | val & w) & ~(val & c));
        }
        afterWrite(offset, width, value);
    }

    private void afterWrite(int offset, int width, int value) {
        if (priCap != 0 && touches(offset, width, priCap + PRI_CTRL, 2)) {
            int ctrl = regs.u16(priCap + PRI_CTRL);
            if ((ctrl & PRI_CTRL_RESET) != 0) {
                pageRequestsOutstanding = false;
                regs.setU16(priCap + PRI_CTRL, ctrl & ~PRI_CTRL_RESET);
            }
            updatePriStopped();
        }
        if (pcieCap != 0 && touches(offset, width, pcieCap + EXP_DEVCTL + 1, 1)
                && (regs.u16(pcieCap + EXP_DEVCTL) & EXP_DEVCTL_BCR_FLR) != 0) {
            regs.setU16(pcieCap + EXP_DEVCTL, regs.u16(pcieCap + EXP_DEVCTL) & ~EXP_DEVCTL_BCR_FLR);
            flr();
        }
    }

    private static boolean touches(int offset, int width, int reg, int regWidth) {
        return offset < reg + regWidth && reg < offset + width;
    }

    private void updatePriStopped() {
        int status = regs.u16(priCap + PRI_STATUS);
        boolean enabled = (regs.u16(priCap + PRI_CTRL) & PRI_CTRL_ENABLE) != 0;
        boolean stopped = !enabled && !pageRequestsOutstanding;
        regs.setU16(priCap + PRI_STATUS, stopped ? status | PRI_STATUS_STOPPED : status & ~PRI_STATUS_STOPPED);
    }

    // ------------------------------------------------------------------ behaviour

    /**
     * Function-level reset: the registers listed in the class comment return to their reset values.
     * A PF's SR-IOV state is not reset by the model.
     */
    public synchronized void flr() {
        resets++;
        regs.setU16(Header.COMMAND, 0);
        regs.setU8(Header.STATUS + 1, regs.u8(Header.STATUS + 1) & ~0xF9);
        if (pasidCap != 0) {
            regs.setU16(pasidCap + PASID_CTRL, 0);
        }
        if (priCap != 0) {
            pageRequestsOutstanding = false;
            regs.setU16(priCap + PRI_CTRL, 0);
            regs.setU16(priCap + PRI_STATUS, regs.u16(priCap + PRI_STATUS) & PRI_STATUS_PASID);
            regs.setU32(priCap + PRI_ALLOC_REQ, 0);
            updatePriStopped();
        }
        if (atsCap != 0) {
            regs.setU16(atsCap + ATS_CTRL, 0);
        }
        if (msiCap != 0) {
            regs.setU16(msiCap + MSI_FLAGS, regs.u16(msiCap + MSI_FLAGS) & ~(MSI_FLAGS_ENABLE | MSI_FLAGS_QSIZE));
        }
        if (msixCap != 0) {
            regs.setU16(msixCap + MSIX_FLAGS, regs.u16(msixCap + MSIX_FLAGS)
                    & ~(MSIX_FLAGS_ENABLE | MSIX_FLAGS_MASKALL));
        }
        if (pmCap != 0) {
            regs.setU16(pmCap + PM_CTRL, regs.u16(pmCap + PM_CTRL) & ~PM_CTRL_STATE_MASK);
        }
    }

    /** Function-level resets so far (by {@link #flr()} or an Initiate FLR write). */
    public synchronized long resets() {
        return resets;
    }

    /**
     * Whether page requests are in flight. While they are, clearing PRI Enable leaves Stopped clear,
     * and the PCI core refuses to enable PRI (EBUSY). A PRI Reset or an FLR drops them.
     */
    public synchronized void setPageRequestsOutstanding(boolean outstanding) {
        pageRequestsOutstanding = outstanding;
        if (priCap != 0) {
            updatePriStopped();
        }
    }

    /** A copy of the registers as they are now. */
    public synchronized ConfigSpace snapshot() {
        return regs.copy();
    }

    // ------------------------------------------------------------------ identity and structure

    public boolean isVirtfn() {
        return physfn != null;
    }

    /** The PF of a VF; the function itself for a PF. */
    public SimFunction physfn() {
        return physfn != null ? physfn : this;
    }

    /** The VF's index (0-based) among its PF's VFs; -1 for a PF. */
    public int vfIndex() {
        return vfIndex;
    }

    /** Capability offsets the model found (0: absent). */
    public int pcieCap() {
        return pcieCap;
    }

    public int pasidCap() {
        return pasidCap;
    }

    public int priCap() {
        return priCap;
    }

    public int atsCap() {
        return atsCap;
    }

    public int sriovCap() {
        return sriovCap;
    }

    public int msiCap() {
        return msiCap;
    }

    public int msixCap() {
        return msixCap;
    }

    /** Sizes of BAR0..BAR5 and the expansion ROM (0: unimplemented). */
    public long[] barSizes() {
        return barSizes.clone();
    }

    /** A VF of this PF, built by {@link VfDerivation}; package-private, the host registers it. */
    SimFunction newVf(PciAddress vfAddress, int index, ConfigSpace vfConfig, long[] vfBarSizes) {
        return new SimFunction(vfAddress, vfConfig, this, index, vfBarSizes);
    }

    @Override
    public String toString() {
        return (isVirtfn() ? "VF " : "PF ") + address;
    }
}
