package dev.vcap.guest;

import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.Header;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A guest kernel's view of one assigned function, modelled on Linux's {@code struct pci_dev}:
 * {@link #probe} enumerates it once through a {@link ConfigPort} and caches the capability offsets
 * Linux caches ({@link CachedField}), plus the derived state Linux keeps; the driver steps of
 * {@code drivers/pci/ats.c} then work from that cache with the kernel's checks and errno values,
 * and it is never refreshed — as in Linux, which never rescans a bound device.
 * {@link #verifyCachedOffsets()} re-reads every cached offset and says which ones no longer hold
 * their capability: what a guest would trip over after a migration that changed the layout.
 *
 * <p>The guest sees one function. A VF passed to a VM is an ordinary function to the guest
 * ({@code is_virtfn} is false), so the PF-sharing branches of ats.c never run here; they are the
 * host's business. What the kernel learns from outside this function's config space (the bridges
 * above it, quirks, kernel options) comes from a {@link GuestTopology}.
 *
 * <p>Not thread-safe, like the kernel's unlocked paths it models: one caller at a time.
 */
public final class GuestPciDev {

    // PCI Express capability registers (include/uapi/linux/pci_regs.h)
    private static final int PCI_EXP_FLAGS = 0x02;
    private static final int PCI_EXP_FLAGS_VERS = 0x000F;
    private static final int PCI_EXP_FLAGS_TYPE = 0x00F0;
    private static final int PCI_EXP_DEVCAP = 0x04;
    private static final int PCI_EXP_DEVCAP_FLR = 0x1000_0000;
    private static final int PCI_EXP_DEVCTL = 0x08;
    private static final int PCI_EXP_DEVCTL_BCR_FLR = 0x8000;
    private static final int PCI_EXP_DEVCAP2 = 0x24;
    private static final int PCI_EXP_DEVCAP2_EE_PREFIX = 0x0020_0000;
    private static final int PCI_EXP_DEVCAP2_EE_PREFIX_MAX_SHIFT = 22;

    /** Device/Port Type values, {@code PCI_EXP_TYPE_*}. */
    static final int TYPE_ENDPOINT = 0x0;
    static final int TYPE_LEG_END = 0x1;
    static final int TYPE_ROOT_PORT = 0x4;
    static final int TYPE_UPSTREAM = 0x5;
    static final int TYPE_DOWNSTREAM = 0x6;
    static final int TYPE_PCI_BRIDGE = 0x7;
    static final int TYPE_PCIE_BRIDGE = 0x8;
    static final int TYPE_RC_END = 0x9;
    static final int TYPE_RC_EC = 0xA;

    private static final int PCI_X_STATUS = 0x04;
    private static final int PCI_X_STATUS_266MHZ = 0x4000_0000;
    private static final int PCI_X_STATUS_533MHZ = 0x8000_0000;
    private static final int PCI_CLASS_BRIDGE_HOST = 0x0600;

    private static final int PCI_MSI_FLAGS = 0x02;
    private static final int PCI_MSI_FLAGS_ENABLE = 0x0001;
    private static final int PCI_MSIX_FLAGS = 0x02;
    private static final int PCI_MSIX_FLAGS_ENABLE = 0x8000;
    private static final int PCI_PM_PMC = 0x02;
    private static final int PCI_PM_CAP_VER_MASK = 0x0007;

    /** ACS registers and bits. */
    private static final int PCI_ACS_CAP = 0x04;
    private static final int PCI_ACS_CTRL = 0x06;
    static final int PCI_ACS_SV = 0x01;
    static final int PCI_ACS_TB = 0x02;
    static final int PCI_ACS_RR = 0x04;
    static final int PCI_ACS_CR = 0x08;
    static final int PCI_ACS_UF = 0x10;
    static final int PCI_ACS_EC = 0x20;

    private static final int PCI_NPEM_CAP = 0x04;
    private static final int PCI_NPEM_CAP_CAPABLE = 0x01;

    /** ATS registers and bits. */
    static final int PCI_ATS_CAP = 0x04;
    static final int PCI_ATS_CAP_QDEP_MASK = 0x001F;
    static final int PCI_ATS_CAP_PAGE_ALIGNED = 0x0020;
    static final int PCI_ATS_CTRL = 0x06;
    static final int PCI_ATS_CTRL_ENABLE = 0x8000;
    static final int PCI_ATS_MAX_QDEP = 32;
    /** {@code PCI_ATS_MIN_STU}: the smallest page shift ATS takes (4 KiB). */
    public static final int PCI_ATS_MIN_STU = 12;

    /** PRI registers and bits. */
    static final int PCI_PRI_CTRL = 0x04;
    static final int PCI_PRI_CTRL_ENABLE = 0x0001;
    static final int PCI_PRI_CTRL_RESET = 0x0002;
    static final int PCI_PRI_STATUS = 0x06;
    static final int PCI_PRI_STATUS_STOPPED = 0x0100;
    static final int PCI_PRI_STATUS_PASID = 0x8000;
    static final int PCI_PRI_MAX_REQ = 0x08;
    static final int PCI_PRI_ALLOC_REQ = 0x0C;

    /** PASID registers and bits. */
    static final int PCI_PASID_CAP = 0x04;
    static final int PCI_PASID_CTRL = 0x06;
    static final int PCI_PASID_CTRL_ENABLE = 0x0001;
    /** {@code PCI_PASID_CAP_EXEC}: Execute Permission Supported, and its enable in Control. */
    public static final int PASID_EXEC = 0x0002;
    /** {@code PCI_PASID_CAP_PRIV}: Privileged Mode Supported, and its enable in Control. */
    public static final int PASID_PRIV = 0x0004;
    private static final int PASID_WIDTH_SHIFT = 8;
    private static final int PASID_WIDTH_MASK = 0x1F;

    private final ConfigPort port;
    private final GuestTopology topology;
    private final List<String> warnings = new ArrayList<>();

    // identity, read once (pci_setup_device)
    private int vendor;
    private int device;
    private int hdrType;
    private boolean multifunction;
    private int classCode;
    private int revision;
    private int cfgSize;
    // PCI Express facts cached with pcie_cap
    private int pcieFlagsReg;
    private int devcap;
    private int eetlpPrefixMax;

    // cached offsets
    private final Map<CachedField, Integer> offsets = new EnumMap<>(CachedField.class);
    private final List<Integer> doeMailboxes = new ArrayList<>();

    // derived state kept by ats.c
    private boolean pasidRequired;
    private int atsStu;
    private boolean atsEnabled;
    private int priReqsAlloc;
    private boolean priEnabled;
    private int pasidFeatures;
    private boolean pasidEnabled;

    private GuestPciDev(ConfigPort port, GuestTopology topology) {
        this.port = port;
        this.topology = topology;
    }

    // ------------------------------------------------------------------------------------- probe

    /** Probes the function behind {@code port} in the default {@link GuestTopology#behindRootPort()}. */
    public static GuestPciDev probe(ConfigPort port) {
        return probe(port, GuestTopology.behindRootPort());
    }

    /**
     * Probes the function behind {@code port} as Linux does when it adds the device
     * ({@code pci_scan_device}, {@code pci_setup_device}, {@code pci_device_add} with
     * {@code pci_configure_device} and {@code pci_init_capabilities}), keeping only what touches
     * config space and the state this model needs.
     *
     * <p>Probe reads, and writes only where Linux does: it clears MSI and MSI-X Enable if set
     * ({@code pci_msi_init}, {@code pci_msix_init}) and writes ACS Control ({@code pci_enable_acs}).
     *
     * @throws IllegalStateException when no function answers (the ID dword reads all ones, zero,
     *                               or half of either, as {@code pci_bus_generic_read_dev_vendor_id}
     *                               refuses)
     */
    public static GuestPciDev probe(ConfigPort port, GuestTopology topology) {
        GuestPciDev dev = new GuestPciDev(port, topology);
        dev.scan();
        return dev;
    }

    private void scan() {
        int id = readDword(Header.VENDOR_ID);
        if (id == -1 || id == 0 || id == 0x0000_FFFF || id == 0xFFFF_0000) {
            throw new IllegalStateException(String.format("no function answers: vendor/device dword reads 0x%08x", id));
        }
        vendor = id & 0xFFFF;
        device = id >>> 16;
        // pci_setup_device
        int headerType = readByte(Header.HEADER_TYPE);
        hdrType = headerType & Header.HEADER_TYPE_MASK;
        multifunction = (headerType & Header.HEADER_TYPE_MULTIFUNCTION) != 0;
        setPciePortType();
        int classRevision = readDword(Header.REVISION_ID);
        revision = classRevision & 0xFF;
        classCode = classRevision >>> 8;
        cfgSize = cfgSpaceSize();
        // pci_device_add -> pci_configure_device
        cache(CachedField.L1SS, findExtCapability(ExtendedCapability.L1PM.id()));
        configureEetlpPrefix();
        // pci_device_add -> pci_init_capabilities, in its order
        msiInit();
        msixInit();
        pmInit();
        cache(CachedField.VPD_CAP, findCapability(StandardCapability.VPD.id()));
        if (isPcie()) {
            cache(CachedField.SRIOV_POS, findExtCapability(ExtendedCapability.SRIOV.id()));
        }
        if (!topology.atsDisabled()) {
            cache(CachedField.ATS_CAP, findExtCapability(ExtendedCapability.ATS.id()));
        }
        priInit();
        cache(CachedField.PASID_CAP, findExtCapability(ExtendedCapability.PASID.id()));
        acsInit();
        if (isPcie()) {
            cache(CachedField.PTM_CAP, findExtCapability(ExtendedCapability.PTM.id()));
        }
        cache(CachedField.AER_CAP, findExtCapability(ExtendedCapability.AER.id()));
        cache(CachedField.DPC_CAP, findExtCapability(ExtendedCapability.DPC.id()));
        doeInit();
        cache(CachedField.TPH_CAP, findExtCapability(ExtendedCapability.TPH.id()));
        cache(CachedField.REBAR_CAP, findExtCapability(ExtendedCapability.RESIZABLE_BAR.id()));
        // pci_device_add, after device_add
        npemCreate();
    }

    private void cache(CachedField field, int offset) {
        if (offset != 0) {
            offsets.put(field, offset);
        }
    }

    /** {@code set_pcie_port_type}: pcie_cap, the cached Capabilities register and Device Capabilities. */
    private void setPciePortType() {
        int pos = findCapability(StandardCapability.PCI_EXPRESS.id());
        if (pos == 0) {
            return;
        }
        cache(CachedField.PCIE_CAP, pos);
        pcieFlagsReg = readWord(pos + PCI_EXP_FLAGS);
        devcap = readDword(pos + PCI_EXP_DEVCAP);
    }

    /** {@code pci_cfg_space_size} with {@code pci_cfg_space_size_ext} and {@code pci_ext_cfg_is_aliased}. */
    private int cfgSpaceSize() {
        if (classCode >>> 8 == PCI_CLASS_BRIDGE_HOST || isPcie()) {
            return cfgSpaceSizeExt();
        }
        int pcix = findCapability(StandardCapability.PCIX.id());
        if (pcix == 0) {
            return ConfigSpace.CONVENTIONAL_SIZE;
        }
        int status = readDword(pcix + PCI_X_STATUS);
        if ((status & (PCI_X_STATUS_266MHZ | PCI_X_STATUS_533MHZ)) != 0) {
            return cfgSpaceSizeExt();
        }
        return ConfigSpace.CONVENTIONAL_SIZE;
    }

    private int cfgSpaceSizeExt() {
        int status = readDword(ConfigSpace.CONVENTIONAL_SIZE);
        if (status == -1 || extCfgIsAliased()) {
            return ConfigSpace.CONVENTIONAL_SIZE;
        }
        return ConfigSpace.EXTENDED_SIZE;
    }

    /** Extended space that merely repeats conventional space every 256 bytes (broken bridges). */
    private boolean extCfgIsAliased() {
        int header = readDword(Header.VENDOR_ID);
        for (int pos = ConfigSpace.CONVENTIONAL_SIZE; pos < ConfigSpace.EXTENDED_SIZE; pos += ConfigSpace.CONVENTIONAL_SIZE) {
            if (readDword(pos) != header) {
                return false;
            }
        }
        return true;
    }

    /** {@code pci_configure_eetlp_prefix}: how many End-End TLP Prefixes reach the root (0: none). */
    private void configureEetlpPrefix() {
        if (!isPcie()) {
            return;
        }
        int cap = pcieCapabilityDword(PCI_EXP_DEVCAP2);
        if ((cap & PCI_EXP_DEVCAP2_EE_PREFIX) == 0) {
            return;
        }
        int max = cap >>> PCI_EXP_DEVCAP2_EE_PREFIX_MAX_SHIFT & 0x3;
        max = max == 0 ? 4 : max; // 00b means 4
        int type = pcieType();
        if (type == TYPE_ROOT_PORT || type == TYPE_RC_END || topology.bridgeEetlpPrefix()) {
            eetlpPrefixMax = max;
        }
    }

    /** {@code pcie_capability_read_dword} for the registers of version 2 (DEVCAP2 and later): 0 on v1. */
    private int pcieCapabilityDword(int register) {
        if ((pcieFlagsReg & PCI_EXP_FLAGS_VERS) <= 1) {
            return 0;
        }
        return readDword(pcieCap() + register);
    }

    private void msiInit() {
        int pos = findCapability(StandardCapability.MSI.id());
        cache(CachedField.MSI_CAP, pos);
        if (pos == 0) {
            return;
        }
        int ctrl = readWord(pos + PCI_MSI_FLAGS);
        if ((ctrl & PCI_MSI_FLAGS_ENABLE) != 0) {
            writeWord(pos + PCI_MSI_FLAGS, ctrl & ~PCI_MSI_FLAGS_ENABLE);
        }
    }

    private void msixInit() {
        int pos = findCapability(StandardCapability.MSIX.id());
        cache(CachedField.MSIX_CAP, pos);
        if (pos == 0) {
            return;
        }
        int ctrl = readWord(pos + PCI_MSIX_FLAGS);
        if ((ctrl & PCI_MSIX_FLAGS_ENABLE) != 0) {
            writeWord(pos + PCI_MSIX_FLAGS, ctrl & ~PCI_MSIX_FLAGS_ENABLE);
        }
    }

    private void pmInit() {
        int pos = findCapability(StandardCapability.PM.id());
        if (pos == 0) {
            return;
        }
        int pmc = readWord(pos + PCI_PM_PMC);
        if ((pmc & PCI_PM_CAP_VER_MASK) > 3) {
            warn(String.format("unsupported PM cap regs version (%d): pm_cap not cached", pmc & PCI_PM_CAP_VER_MASK));
            return;
        }
        cache(CachedField.PM_CAP, pos);
    }

    /** {@code pci_pri_init}: pri_cap, and PRG Response PASID Required from the PRI Status register. */
    private void priInit() {
        int pos = findExtCapability(ExtendedCapability.PRI.id());
        cache(CachedField.PRI_CAP, pos);
        if (pos == 0) {
            return;
        }
        int status = readWord(pos + PCI_PRI_STATUS);
        if ((status & PCI_PRI_STATUS_PASID) != 0) {
            pasidRequired = true;
        }
    }

    /**
     * {@code pci_acs_init} with {@code pci_enable_acs}: with an IOMMU, enable the Source
     * Validation, Request Redirect, Completion Redirect and Upstream Forwarding controls the device
     * has (Translation Blocking too when untrusted); Control is written back either way. Quirks and
     * the {@code disable_acs_redir=} / {@code config_acs=} options are not modelled.
     */
    private void acsInit() {
        int pos = findExtCapability(ExtendedCapability.ACS.id());
        cache(CachedField.ACS_CAP, pos);
        if (pos == 0) {
            return;
        }
        int cap = readWord(pos + PCI_ACS_CAP);
        int ctrl = readWord(pos + PCI_ACS_CTRL);
        if (topology.iommuPresent()) {
            ctrl |= cap & (PCI_ACS_SV | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF);
            if (topology.untrusted()) {
                ctrl |= cap & PCI_ACS_TB;
            }
        }
        writeWord(pos + PCI_ACS_CTRL, ctrl);
    }

    /** {@code pci_doe_init}: one mailbox per DOE capability, in chain order (mailbox set-up I/O not modelled). */
    private void doeInit() {
        int pos = 0;
        while ((pos = findNextExtCapability(pos, ExtendedCapability.DOE.id())) != 0) {
            doeMailboxes.add(pos);
        }
    }

    /** {@code pci_npem_create} on a platform without the NPEM _DSM: cached only when NPEM Capable is set. */
    private void npemCreate() {
        int pos = findExtCapability(ExtendedCapability.NPEM.id());
        if (pos == 0) {
            return;
        }
        int cap = readDword(pos + PCI_NPEM_CAP);
        if ((cap & PCI_NPEM_CAP_CAPABLE) != 0) {
            cache(CachedField.NPEM_POS, pos);
        }
    }

    // ------------------------------------------------------------------------- find (reads, like Linux)

    /** {@code pci_find_capability}: walks the standard list now, through the port. */
    public int findCapability(int cap) {
        return CapabilityFinder.findCapability(port, hdrType, cap);
    }

    /** {@code pci_find_next_capability}. */
    public int findNextCapability(int pos, int cap) {
        return CapabilityFinder.findNextCapability(port, pos, cap);
    }

    /** {@code pci_find_ext_capability}: walks the extended list now, if probe found extended space. */
    public int findExtCapability(int cap) {
        return CapabilityFinder.findExtCapability(port, cfgSize, cap);
    }

    /** {@code pci_find_next_ext_capability}. */
    public int findNextExtCapability(int start, int cap) {
        return CapabilityFinder.findNextExtCapability(port, cfgSize, start, cap);
    }

    // ------------------------------------------------------------------------------- identity

    public int vendor() {
        return vendor;
    }

    public int device() {
        return device;
    }

    /** {@code hdr_type}: header type bits 6:0. */
    public int hdrType() {
        return hdrType;
    }

    public boolean multifunction() {
        return multifunction;
    }

    /** {@code class}: base class, subclass, programming interface. */
    public int classCode() {
        return classCode;
    }

    public int revision() {
        return revision;
    }

    /** {@code cfg_size}: 4096 when probe found usable extended space, else 256. */
    public int cfgSize() {
        return cfgSize;
    }

    /** {@code pci_is_pcie}. */
    public boolean isPcie() {
        return offsets.containsKey(CachedField.PCIE_CAP);
    }

    /** {@code pcie_flags_reg}: the PCI Express Capabilities register as probe read it. */
    public int pcieFlagsReg() {
        return pcieFlagsReg;
    }

    /** {@code pci_pcie_type}: Device/Port Type from the cached flags, or -1 without PCI Express. */
    public int pcieType() {
        return isPcie() ? (pcieFlagsReg & PCI_EXP_FLAGS_TYPE) >>> 4 : -1;
    }

    /** {@code devcap}: Device Capabilities as probe read it. */
    public int devcap() {
        return devcap;
    }

    /** {@code eetlp_prefix_max}: End-End TLP Prefixes this function may use; 0 when the path has none. */
    public int eetlpPrefixMax() {
        return eetlpPrefixMax;
    }

    public GuestTopology topology() {
        return topology;
    }

    // ------------------------------------------------------------------------- cached offsets

    /** The cached offset of {@code field}, or 0 (the kernel's "absent"). DOE: the first mailbox. */
    public int offset(CachedField field) {
        if (field == CachedField.DOE_MB) {
            return doeMailboxes.isEmpty() ? 0 : doeMailboxes.get(0);
        }
        return offsets.getOrDefault(field, 0);
    }

    public int pcieCap() {
        return offset(CachedField.PCIE_CAP);
    }

    public int pmCap() {
        return offset(CachedField.PM_CAP);
    }

    public int msiCap() {
        return offset(CachedField.MSI_CAP);
    }

    public int msixCap() {
        return offset(CachedField.MSIX_CAP);
    }

    public int vpdCap() {
        return offset(CachedField.VPD_CAP);
    }

    public int l1ss() {
        return offset(CachedField.L1SS);
    }

    public int sriovPos() {
        return offset(CachedField.SRIOV_POS);
    }

    public int atsCap() {
        return offset(CachedField.ATS_CAP);
    }

    public int priCap() {
        return offset(CachedField.PRI_CAP);
    }

    public int pasidCap() {
        return offset(CachedField.PASID_CAP);
    }

    public int acsCap() {
        return offset(CachedField.ACS_CAP);
    }

    public int ptmCap() {
        return offset(CachedField.PTM_CAP);
    }

    public int aerCap() {
        return offset(CachedField.AER_CAP);
    }

    public int dpcCap() {
        return offset(CachedField.DPC_CAP);
    }

    public int tphCap() {
        return offset(CachedField.TPH_CAP);
    }

    public int rebarCap() {
        return offset(CachedField.REBAR_CAP);
    }

    public int npemPos() {
        return offset(CachedField.NPEM_POS);
    }

    /** {@code doe_mbs}: the offset of every DOE mailbox, in chain order. */
    public List<Integer> doeMailboxes() {
        return Collections.unmodifiableList(doeMailboxes);
    }

    /** Every non-zero cached offset, in {@link CachedField} order, one entry per DOE mailbox. */
    public List<CachedOffset> cachedOffsets() {
        List<CachedOffset> out = new ArrayList<>();
        for (CachedField field : CachedField.values()) {
            if (field == CachedField.DOE_MB) {
                doeMailboxes.forEach(pos -> out.add(new CachedOffset(field, pos)));
            } else if (offsets.containsKey(field)) {
                out.add(new CachedOffset(field, offsets.get(field)));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------- derived state

    /** {@code pasid_required}: PRG Response PASID Required, read once at probe. */
    public boolean pasidRequired() {
        return pasidRequired;
    }

    /** {@code ats_stu}: the page shift ATS was last prepared or enabled with, 0 before. */
    public int atsStu() {
        return atsStu;
    }

    public boolean atsEnabled() {
        return atsEnabled;
    }

    /** {@code pri_reqs_alloc}: the outstanding page requests allocated (unsigned), 0 before. */
    public int priReqsAlloc() {
        return priReqsAlloc;
    }

    public boolean priEnabled() {
        return priEnabled;
    }

    /** {@code pasid_features}: the features PASID was enabled with. */
    public int enabledPasidFeatures() {
        return pasidFeatures;
    }

    public boolean pasidEnabled() {
        return pasidEnabled;
    }

    /** {@code untrusted}. */
    public boolean untrusted() {
        return topology.untrusted();
    }

    /** The kernel's {@code WARN_ON}s and probe complaints so far, oldest first. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    private void warn(String message) {
        warnings.add(message);
    }

    // ------------------------------------------------------------------------------- ATS

    /** {@code pci_ats_supported}: an ATS capability, and a trusted function. */
    public boolean atsSupported() {
        return atsCap() != 0 && !topology.untrusted();
    }

    /**
     * {@code pci_prepare_ats}: records the STU and writes it to ATS Control without enabling ATS.
     * Errors as {@link #enableAts(int)}.
     */
    public Errno prepareAts(int ps) {
        if (!atsSupported()) {
            return Errno.EINVAL;
        }
        if (atsEnabled) {
            warn("WARN_ON(dev->ats_enabled) in pci_prepare_ats");
            return Errno.EBUSY;
        }
        if (ps < PCI_ATS_MIN_STU) {
            return Errno.EINVAL;
        }
        atsStu = ps;
        writeWord(atsCap() + PCI_ATS_CTRL, stuField(ps));
        return Errno.OK;
    }

    /**
     * {@code pci_enable_ats}: enables ATS with Smallest Translation Unit {@code ps} (the IOMMU page
     * shift; 12 is 4 KiB).
     *
     * <ul>
     *   <li>{@link Errno#EINVAL}: no ATS capability cached, or the function is untrusted;</li>
     *   <li>{@link Errno#EBUSY}: ATS is already enabled (a kernel WARN);</li>
     *   <li>{@link Errno#EINVAL}: {@code ps} below 12. There is no upper bound: like the kernel,
     *       the model writes {@code (ps - 12) & 0x1f} into the 5-bit field.</li>
     * </ul>
     * On success writes ATS Control once: Enable and the STU.
     */
    public Errno enableAts(int ps) {
        if (!atsSupported()) {
            return Errno.EINVAL;
        }
        if (atsEnabled) {
            warn("WARN_ON(dev->ats_enabled) in pci_enable_ats");
            return Errno.EBUSY;
        }
        if (ps < PCI_ATS_MIN_STU) {
            return Errno.EINVAL;
        }
        atsStu = ps;
        writeWord(atsCap() + PCI_ATS_CTRL, PCI_ATS_CTRL_ENABLE | stuField(ps));
        atsEnabled = true;
        return Errno.OK;
    }

    private static int stuField(int ps) {
        return (ps - PCI_ATS_MIN_STU) & 0x1F;
    }

    /** {@code pci_disable_ats}: clears Enable (read-modify-write); a WARN and nothing else when not enabled. */
    public void disableAts() {
        if (!atsEnabled) {
            warn("WARN_ON(!dev->ats_enabled) in pci_disable_ats");
            return;
        }
        int ctrl = readWord(atsCap() + PCI_ATS_CTRL);
        writeWord(atsCap() + PCI_ATS_CTRL, ctrl & ~PCI_ATS_CTRL_ENABLE);
        atsEnabled = false;
    }

    /** {@code pci_restore_ats_state}: rewrites Enable and the STU after a reset, if ATS was enabled. */
    public void restoreAtsState() {
        if (!atsEnabled) {
            return;
        }
        writeWord(atsCap() + PCI_ATS_CTRL, PCI_ATS_CTRL_ENABLE | stuField(atsStu));
    }

    /** {@code pci_ats_queue_depth}: Invalidate Queue Depth (0 in the register means 32), or -EINVAL. */
    public int atsQueueDepth() {
        if (atsCap() == 0) {
            return Errno.EINVAL.value();
        }
        int qdep = readWord(atsCap() + PCI_ATS_CAP) & PCI_ATS_CAP_QDEP_MASK;
        return qdep != 0 ? qdep : PCI_ATS_MAX_QDEP;
    }

    /** {@code pci_ats_page_aligned}: 1 when Page Aligned Request is set, else 0. */
    public int atsPageAligned() {
        if (atsCap() == 0) {
            return 0;
        }
        return (readWord(atsCap() + PCI_ATS_CAP) & PCI_ATS_CAP_PAGE_ALIGNED) != 0 ? 1 : 0;
    }

    // ------------------------------------------------------------------------------- PRI

    /**
     * {@code pci_enable_pri}: allocates {@code reqs} outstanding page requests (unsigned; clamped to
     * the device's capacity) and enables PRI.
     *
     * <ul>
     *   <li>{@link Errno#EBUSY}: PRI is already enabled (a kernel WARN);</li>
     *   <li>{@link Errno#EINVAL}: no PRI capability cached;</li>
     *   <li>{@link Errno#EBUSY}: PRI Status does not say Stopped (the device still has requests in
     *       flight; {@link #resetPri()} first).</li>
     * </ul>
     * On success writes the allocation register, then Control = Enable.
     */
    public Errno enablePri(int reqs) {
        if (priEnabled) {
            warn("WARN_ON(pdev->pri_enabled) in pci_enable_pri");
            return Errno.EBUSY;
        }
        int pri = priCap();
        if (pri == 0) {
            return Errno.EINVAL;
        }
        int status = readWord(pri + PCI_PRI_STATUS);
        if ((status & PCI_PRI_STATUS_STOPPED) == 0) {
            return Errno.EBUSY;
        }
        int maxRequests = readDword(pri + PCI_PRI_MAX_REQ);
        int allocated = Integer.compareUnsigned(maxRequests, reqs) < 0 ? maxRequests : reqs;
        priReqsAlloc = allocated;
        writeDword(pri + PCI_PRI_ALLOC_REQ, allocated);
        writeWord(pri + PCI_PRI_CTRL, PCI_PRI_CTRL_ENABLE);
        priEnabled = true;
        return Errno.OK;
    }

    /** {@code pci_disable_pri}: clears Enable (read-modify-write); a WARN and nothing else when not enabled. */
    public void disablePri() {
        if (!priEnabled) {
            warn("WARN_ON(!pdev->pri_enabled) in pci_disable_pri");
            return;
        }
        int pri = priCap();
        if (pri == 0) {
            return;
        }
        int control = readWord(pri + PCI_PRI_CTRL);
        writeWord(pri + PCI_PRI_CTRL, control & ~PCI_PRI_CTRL_ENABLE);
        priEnabled = false;
    }

    /**
     * {@code pci_reset_function} by FLR ({@code pcie_reset_flr}, {@code pcie_flr}): -ENOTTY when
     * Device Capabilities do not advertise FLR; else sets Initiate Function Level Reset in Device
     * Control and, as {@code pci_restore_state} does, restores PASID, PRI and ATS in that order.
     * Of the save and restore around the reset, only these three (the state this model caches) are
     * modelled.
     */
    public Errno resetFunction() {
        int pos = pcieCap();
        if (pos == 0 || (devcap & PCI_EXP_DEVCAP_FLR) == 0) {
            return Errno.ENOTTY;
        }
        writeWord(pos + PCI_EXP_DEVCTL, readWord(pos + PCI_EXP_DEVCTL) | PCI_EXP_DEVCTL_BCR_FLR);
        restorePasidState();
        restorePriState();
        restoreAtsState();
        return Errno.OK;
    }

    /** {@code pci_restore_pri_state}: rewrites the allocation and Enable, if PRI was enabled. */
    public void restorePriState() {
        int pri = priCap();
        if (!priEnabled || pri == 0) {
            return;
        }
        writeDword(pri + PCI_PRI_ALLOC_REQ, priReqsAlloc);
        writeWord(pri + PCI_PRI_CTRL, PCI_PRI_CTRL_ENABLE);
    }

    /**
     * {@code pci_reset_pri}: writes Control = Reset (and nothing else), which makes the device drop
     * its page request state and report Stopped.
     *
     * <ul>
     *   <li>{@link Errno#EBUSY}: PRI is enabled (a kernel WARN);</li>
     *   <li>{@link Errno#EINVAL}: no PRI capability cached.</li>
     * </ul>
     */
    public Errno resetPri() {
        if (priEnabled) {
            warn("WARN_ON(pdev->pri_enabled) in pci_reset_pri");
            return Errno.EBUSY;
        }
        int pri = priCap();
        if (pri == 0) {
            return Errno.EINVAL;
        }
        writeWord(pri + PCI_PRI_CTRL, PCI_PRI_CTRL_RESET);
        return Errno.OK;
    }

    /** {@code pci_prg_resp_pasid_required}: 1 when PRG responses must carry a PASID, else 0 (probe's answer). */
    public int prgResponsePasidRequired() {
        return pasidRequired ? 1 : 0;
    }

    /** {@code pci_pri_supported}: a PRI capability was cached. */
    public boolean priSupported() {
        return priCap() != 0;
    }

    // ------------------------------------------------------------------------------- PASID

    /**
     * {@code pci_enable_pasid}: enables PASID with {@code features} ({@link #PASID_EXEC},
     * {@link #PASID_PRIV}), checking in the kernel's order:
     *
     * <ul>
     *   <li>{@link Errno#EBUSY}: PASID is already enabled (a kernel WARN);</li>
     *   <li>{@link Errno#EINVAL}: no End-End TLP Prefix path to the root ({@link #eetlpPrefixMax()}
     *       is 0) and no {@code pasid_no_tlp} quirk;</li>
     *   <li>{@link Errno#EINVAL}: no PASID capability cached;</li>
     *   <li>{@link Errno#EINVAL}: ACS Request Redirect and Upstream Forwarding are not enabled on
     *       the path ({@link #acsPathEnabled()});</li>
     *   <li>{@link Errno#EINVAL}: {@code features} asks for something the PASID Capability register
     *       does not offer (any bit but Exec and Priv counts as unsupported).</li>
     * </ul>
     * On success writes PASID Control once: Enable | features.
     *
     * <p>ats.c itself has no ordering rule between PASID and ATS. The PCIe spec leaves a device's
     * behaviour undefined when PASID is enabled after ATS, so IOMMU drivers enable PASID first
     * (Intel's VT-d driver says so in a comment and does it when it probes the device); that is
     * the caller's order to keep, not a check here.
     */
    public Errno enablePasid(int features) {
        if (pasidEnabled) {
            warn("WARN_ON(pdev->pasid_enabled) in pci_enable_pasid");
            return Errno.EBUSY;
        }
        if (eetlpPrefixMax == 0 && !topology.pasidNoTlp()) {
            return Errno.EINVAL;
        }
        int pasid = pasidCap();
        if (pasid == 0) {
            return Errno.EINVAL;
        }
        if (!acsPathEnabled()) {
            return Errno.EINVAL;
        }
        int supported = readWord(pasid + PCI_PASID_CAP) & (PASID_EXEC | PASID_PRIV);
        if ((supported & features) != features) {
            return Errno.EINVAL;
        }
        pasidFeatures = features;
        writeWord(pasid + PCI_PASID_CTRL, PCI_PASID_CTRL_ENABLE | features);
        pasidEnabled = true;
        return Errno.OK;
    }

    /** {@code pci_disable_pasid}: writes Control = 0; a WARN and nothing else when not enabled. */
    public void disablePasid() {
        if (!pasidEnabled) {
            warn("WARN_ON(!pdev->pasid_enabled) in pci_disable_pasid");
            return;
        }
        int pasid = pasidCap();
        if (pasid == 0) {
            return;
        }
        writeWord(pasid + PCI_PASID_CTRL, 0);
        pasidEnabled = false;
    }

    /** {@code pci_restore_pasid_state}: rewrites Enable | features, if PASID was enabled. */
    public void restorePasidState() {
        int pasid = pasidCap();
        if (!pasidEnabled || pasid == 0) {
            return;
        }
        writeWord(pasid + PCI_PASID_CTRL, PCI_PASID_CTRL_ENABLE | pasidFeatures);
    }

    /** {@code pci_pasid_features}: the Exec and Priv bits the device supports, or -EINVAL without PASID. */
    public int pasidFeatures() {
        int pasid = pasidCap();
        if (pasid == 0) {
            return Errno.EINVAL.value();
        }
        return readWord(pasid + PCI_PASID_CAP) & (PASID_EXEC | PASID_PRIV);
    }

    /**
     * {@code pci_max_pasids}: {@code 1 << Max PASID Width}, or -EINVAL without PASID. The width field
     * has 5 bits; the spec allows at most 20. Like the kernel's {@code int} shift, a width of 31
     * gives a negative number (and a width of 32 cannot be encoded).
     */
    public int maxPasids() {
        int pasid = pasidCap();
        if (pasid == 0) {
            return Errno.EINVAL.value();
        }
        int width = readWord(pasid + PCI_PASID_CAP) >>> PASID_WIDTH_SHIFT & PASID_WIDTH_MASK;
        return 1 << width;
    }

    /** {@code pci_pasid_status}: Enable, Exec and Priv from PASID Control, or -EINVAL without PASID. */
    public int pasidStatus() {
        int pasid = pasidCap();
        if (pasid == 0) {
            return Errno.EINVAL.value();
        }
        return readWord(pasid + PCI_PASID_CTRL) & (PCI_PASID_CTRL_ENABLE | PASID_EXEC | PASID_PRIV);
    }

    // ------------------------------------------------------------------------------- ACS

    /**
     * {@code pci_acs_path_enabled(dev, NULL, PCI_ACS_RR | PCI_ACS_UF)}: this function by its own
     * registers ({@link #acsEnabled(int)}), then the bridges above it from the topology.
     */
    public boolean acsPathEnabled() {
        return acsEnabled(PCI_ACS_RR | PCI_ACS_UF) && topology.pathAcsEnabled();
    }

    /**
     * {@code pci_acs_enabled} for this function (device-specific quirks not modelled): conventional
     * functions and PCIe bridges to or from PCI never count as isolated; downstream and root ports
     * must have the controls enabled; endpoints and upstream ports only when multi-function;
     * anything else single-function is isolated.
     */
    public boolean acsEnabled(int flags) {
        if (!isPcie()) {
            return false;
        }
        return switch (pcieType()) {
            case TYPE_PCIE_BRIDGE, TYPE_PCI_BRIDGE, TYPE_RC_EC -> false;
            case TYPE_DOWNSTREAM, TYPE_ROOT_PORT -> acsFlagsEnabled(flags);
            case TYPE_ENDPOINT, TYPE_UPSTREAM, TYPE_LEG_END, TYPE_RC_END -> !multifunction || acsFlagsEnabled(flags);
            default -> true;
        };
    }

    /** {@code pci_acs_flags_enabled}: controls the device lacks count as hard-wired on, except Egress Control. */
    private boolean acsFlagsEnabled(int flags) {
        int pos = acsCap();
        if (pos == 0) {
            return false;
        }
        int cap = readWord(pos + PCI_ACS_CAP);
        int wanted = flags & (cap | PCI_ACS_EC);
        int ctrl = readWord(pos + PCI_ACS_CTRL);
        return (ctrl & wanted) == wanted;
    }

    // ------------------------------------------------------------------------- after migration

    /**
     * Re-reads every cached offset through the port — reads only — and reports each one that no
     * longer holds the capability the guest cached it for: a standard offset whose ID byte
     * differs; an extended offset whose header reads 0 or 0xffffffff, carries another ID, or links
     * on to an offset below 0x100. Whether the capability is still reachable from the list heads
     * is not checked: the guest never walks the lists again, it uses the offsets.
     *
     * @return the problems in {@link #cachedOffsets()} order; empty when the guest survives
     */
    public List<OffsetProblem> verifyCachedOffsets() {
        List<OffsetProblem> problems = new ArrayList<>();
        for (CachedOffset cached : cachedOffsets()) {
            CachedField field = cached.field();
            CapabilityKind expected = field.capability();
            int pos = cached.offset();
            if (expected.space() == CapabilitySpace.STANDARD) {
                int id = readByte(pos);
                if (id != expected.id()) {
                    problems.add(new OffsetProblem(field, pos, expected, OffsetProblem.Reason.WRONG_ID, id));
                }
            } else {
                int header = readDword(pos);
                OffsetProblem.Reason reason = null;
                if (header == 0 || header == -1) {
                    reason = OffsetProblem.Reason.NO_HEADER;
                } else if (ExtendedCapability.headerId(header) != expected.id()) {
                    reason = OffsetProblem.Reason.WRONG_ID;
                } else {
                    int next = ExtendedCapability.headerNext(header);
                    if (next != 0 && next < ConfigSpace.CONVENTIONAL_SIZE) {
                        reason = OffsetProblem.Reason.BAD_NEXT;
                    }
                }
                if (reason != null) {
                    problems.add(new OffsetProblem(field, pos, expected, reason, header));
                }
            }
        }
        return problems;
    }

    // ------------------------------------------------------------------------------- access

    private int readByte(int offset) {
        return port.read(offset, 1) & 0xFF;
    }

    private int readWord(int offset) {
        return port.read(offset, 2) & 0xFFFF;
    }

    private int readDword(int offset) {
        return port.read(offset, 4);
    }

    private void writeWord(int offset, int value) {
        port.write(offset, 2, value & 0xFFFF);
    }

    private void writeDword(int offset, int value) {
        port.write(offset, 4, value);
    }

    @Override
    public String toString() {
        return String.format("GuestPciDev[%04x:%04x type %d cfg_size %d %s]", vendor, device, hdrType, cfgSize,
                cachedOffsets());
    }
}
