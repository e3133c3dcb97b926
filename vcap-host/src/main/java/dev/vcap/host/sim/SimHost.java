package dev.vcap.host.sim;

import static dev.vcap.host.PciRegs.*;

import dev.vcap.host.Host;
import dev.vcap.host.Rule;
import dev.vcap.host.vfio.PasidOption;
import dev.vcap.host.vfio.VfioPciConfig;
import dev.vcap.host.vfio.VfioPciProbe;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.PciAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A simulated host: PCI functions built from real dumps or {@code ConfigSpaceBuilder} images, an
 * IOMMU with groups, vfio-pci on every type 0 function (its probe refuses bridges), and
 * {@code /dev/iommu}.
 *
 * <pre>{@code
 * SimHost host = SimHost.builder()
 *         .function(PciAddress.parse("00:02.0"), igpuImage)
 *         .build();
 * List<PciAddress> vfs = host.enableVfs(PciAddress.parse("00:02.0"), 2);   // sriov_numvfs
 * try (Iommufd fd = host.openIommufd(); VfioDevice vf = host.openDevice(vfs.get(0))) {
 *     int devId = vf.bind(fd);
 *     ...
 * }
 * }</pre>
 */
public final class SimHost implements Host {

    private record Node(SimFunction fn, SimPciDev pdev, SimIommu.Device iommu) {
    }

    private final SimIommu iommu;
    private final PasidOption defaultOption;
    private final boolean pasidOps;
    private final boolean pasidUapi;
    private final Map<PciAddress, long[]> vfBarSizes;
    private final Map<PciAddress, java.util.function.UnaryOperator<ConfigSpace>> vfFirmware;
    private final TreeMap<PciAddress, Node> nodes = new TreeMap<>();
    private final Map<PciAddress, List<PciAddress>> vfsOf = new HashMap<>();
    private int nextGroup = 1;

    private SimHost(Builder b) {
        this.iommu = new SimIommu(b.features);
        this.defaultOption = b.pasidOption;
        this.pasidOps = b.pasidOps;
        this.pasidUapi = b.pasidUapi;
        this.vfBarSizes = Map.copyOf(b.vfBarSizes);
        this.vfFirmware = Map.copyOf(b.vfFirmware);
        Map<PciAddress, SimIommu.Group> groupOf = new HashMap<>();
        TreeMap<PciAddress, Builder.Spec> specs = new TreeMap<>(b.functions);
        for (PciAddress a : specs.keySet()) {
            if (groupOf.containsKey(a)) {
                continue;
            }
            SimIommu.Group g = iommu.newGroup(nextGroup++);
            for (List<PciAddress> members : b.groups) {
                if (members.contains(a)) {
                    for (PciAddress m : members) {
                        groupOf.put(m, g);
                    }
                }
            }
            groupOf.putIfAbsent(a, g);
        }
        for (Builder.Spec s : specs.values()) {
            SimFunction fn = new SimFunction(s.address(), s.config(), s.barSizes());
            SimPciDev pdev = new SimPciDev(fn);
            nodes.put(s.address(), new Node(fn, pdev, iommu.probe(pdev, groupOf.get(s.address()))));
        }
    }

    private static final PciAddress LONE_FUNCTION = new PciAddress(0, 1, 0, 0);

    public static Builder builder() {
        return new Builder();
    }

    /**
     * vfio-pci's view of one captured function as Linux 6.15 shows it to user space (PASID and every
     * ID newer than vfio's table hidden, ATS and PRI read-only, gaps raw): the config region a VMM
     * builds its guest's config space over. The function sits alone on a host of its own, opened
     * but not bound; nothing is written to it.
     *
     * @throws dev.vcap.host.HostException EINVAL ({@link dev.vcap.host.Rule#HEADER_TYPE_NOT_NORMAL})
     *                                     for a function vfio-pci does not bind: a bridge
     */
    public static VfioPciConfig vfioView(DeviceImage image) {
        return vfioView(image, PasidOption.hidden());
    }

    /** {@link #vfioView(DeviceImage)} of bytes alone: the view does not depend on the address. */
    public static VfioPciConfig vfioView(ConfigSpace config) {
        return vfioView(new DeviceImage(LONE_FUNCTION, "", config, "config space"));
    }

    /** {@link #vfioView(DeviceImage)} with one of the kernel-side PASID options instead of hiding. */
    public static VfioPciConfig vfioView(DeviceImage image, PasidOption option) {
        return builder().function(image).build().openDevice(image.address(), option).config();
    }

    /** Builds a {@link SimHost}. Functions not named in a {@link #group} get a group each. */
    public static final class Builder {

        private record Spec(PciAddress address, ConfigSpace config, long[] barSizes) {
        }

        private SimIommu.Features features = SimIommu.Features.defaults();
        private PasidOption pasidOption = PasidOption.hidden();
        private boolean pasidOps = true;
        private boolean pasidUapi = true;
        private final Map<PciAddress, Spec> functions = new LinkedHashMap<>();
        private final List<List<PciAddress>> groups = new ArrayList<>();
        private final Map<PciAddress, long[]> vfBarSizes = new HashMap<>();
        private final Map<PciAddress, java.util.function.UnaryOperator<ConfigSpace>> vfFirmware = new HashMap<>();

        private Builder() {
        }

        public Builder iommu(SimIommu.Features features) {
            this.features = Objects.requireNonNull(features);
            return this;
        }

        /** The PASID option device files open with (Linux 6.15: hidden). */
        public Builder pasidOption(PasidOption option) {
            this.pasidOption = Objects.requireNonNull(option);
            return this;
        }

        /** Whether the vfio driver has PASID attach/detach ops (vfio-pci in 6.15 does). */
        public Builder pasidOps(boolean present) {
            this.pasidOps = present;
            return this;
        }

        /**
         * Whether the kernel has the PASID uAPI Linux 6.15 added (true): VFIO_DEVICE_ATTACH_PASID /
         * DETACH_PASID and IOMMU_HWPT_ALLOC_PASID. False models an earlier kernel (6.12), where each
         * is an unknown flag: EINVAL from vfio (device_cdev.c), EOPNOTSUPP from IOMMU_HWPT_ALLOC.
         */
        public Builder pasidUapi(boolean present) {
            this.pasidUapi = present;
            return this;
        }

        public Builder function(PciAddress address, ConfigSpace config) {
            return function(address, config, null);
        }

        /** @param barSizes BAR0..BAR5 and ROM sizes, or null for the alignment of each BAR address */
        public Builder function(PciAddress address, ConfigSpace config, long[] barSizes) {
            functions.put(address, new Spec(address, config, barSizes));
            return this;
        }

        /** A function from a dump, at the dump's address. */
        public Builder function(DeviceImage image) {
            return function(image.address(), image.config());
        }

        /** Puts functions in one IOMMU group. */
        public Builder group(PciAddress... members) {
            groups.add(List.of(members));
            return this;
        }

        /** Sizes of each VF's BAR0..BAR5 and ROM for a PF (default: VF BARs unimplemented). */
        public Builder vfBarSizes(PciAddress pf, long[] sizes) {
            vfBarSizes.put(pf, sizes.clone());
            return this;
        }

        /**
         * Firmware that builds a PF's VF config space beyond what {@link VfDerivation} derives: it
         * gets the derived image and returns the VF's (e.g. with vendor registers in a gap, as
         * firmware-built config spaces have, or moved between firmware versions).
         */
        public Builder vfFirmware(PciAddress pf, java.util.function.UnaryOperator<ConfigSpace> firmware) {
            vfFirmware.put(pf, Objects.requireNonNull(firmware));
            return this;
        }

        public SimHost build() {
            return new SimHost(this);
        }
    }

    // ------------------------------------------------------------------ Host

    /** The functions vfio-pci bound: every function but those its probe refuses (bridges). */
    @Override
    public synchronized List<PciAddress> devices() {
        return nodes.entrySet().stream().filter(e -> VfioPciProbe.refusal(e.getValue().fn().snapshot()).isEmpty())
                .map(Map.Entry::getKey).toList();
    }

    @Override
    public SimVfioDevice openDevice(PciAddress address) {
        return openDevice(address, defaultOption);
    }

    /**
     * Opens a device file whose vfio config view applies {@code option} for PASID.
     *
     * @throws dev.vcap.host.HostException ENODEV for an unknown address; EINVAL for a function
     *                                     vfio-pci's probe refused to bind ({@link VfioPciProbe})
     */
    public synchronized SimVfioDevice openDevice(PciAddress address, PasidOption option) {
        Node n = node(address);
        Optional<String> refused = VfioPciProbe.refusal(n.fn().snapshot());
        if (refused.isPresent()) {
            throw Rule.HEADER_TYPE_NOT_NORMAL.fail(address + ": " + refused.get());
        }
        return new SimVfioDevice(n.pdev(), iommu, n.iommu(), pasidOps, pasidUapi, option);
    }

    @Override
    public SimIommufd openIommufd() {
        return new SimIommufd(iommu, pasidUapi);
    }

    // ------------------------------------------------------------------ the simulation's own handles

    public SimIommu iommu() {
        return iommu;
    }

    public synchronized SimFunction function(PciAddress address) {
        return node(address).fn();
    }

    public synchronized SimPciDev pciDev(PciAddress address) {
        return node(address).pdev();
    }

    public synchronized SimIommu.Device iommuDevice(PciAddress address) {
        return node(address).iommu();
    }

    private Node node(PciAddress address) {
        Node n = nodes.get(address);
        if (n == null) {
            throw Rule.NO_SUCH_DEVICE.fail("no function at " + address + " on this host");
        }
        return n;
    }

    /**
     * Writes {@code sriov_numvfs} of a PF (drivers/pci/iov.c): creates or removes its VFs, each
     * derived by {@link VfDerivation}, probed by the IOMMU in its own group.
     *
     * @return the PF's VFs after the change
     * @throws dev.vcap.host.HostException ENODEV for an unknown address; EINVAL without SR-IOV;
     *                                     ERANGE above TotalVFs; EBUSY when changing a non-zero
     *                                     count to another non-zero count
     */
    public synchronized List<PciAddress> enableVfs(PciAddress pfAddress, int numVfs) {
        Node pf = node(pfAddress);
        SimFunction fn = pf.fn();
        if (fn.isVirtfn() || fn.sriovCap() == 0) {
            throw Rule.SRIOV_ABSENT.fail(pfAddress + " has no SR-IOV capability");
        }
        int sriov = fn.sriovCap();
        int total = fn.read(sriov + SRIOV_TOTAL_VF, 2);
        if (numVfs < 0 || numVfs > total) {
            throw Rule.SRIOV_TOO_MANY_VFS.fail(pfAddress + ": " + numVfs + " VFs requested, TotalVFs is " + total);
        }
        List<PciAddress> current = vfsOf.getOrDefault(pfAddress, List.of());
        if (numVfs == current.size()) {
            return current;
        }
        if (numVfs == 0) {
            for (PciAddress vf : current) {
                if (nodes.get(vf).pdev().vfioBound()) {
                    throw new IllegalStateException("VF " + vf + " is bound to vfio; close its device file first");
                }
            }
            current.forEach(nodes::remove);
            vfsOf.remove(pfAddress);
            fn.write(sriov + SRIOV_CTRL, 2, fn.read(sriov + SRIOV_CTRL, 2) & ~(SRIOV_CTRL_VFE | SRIOV_CTRL_MSE));
            fn.write(sriov + SRIOV_NUM_VF, 2, 0);
            return List.of();
        }
        if (!current.isEmpty()) {
            throw Rule.SRIOV_VFS_ALREADY_ENABLED.fail(pfAddress + ": " + current.size()
                    + " VFs already enabled; disable before enabling " + numVfs);
        }
        fn.write(sriov + SRIOV_NUM_VF, 2, numVfs);
        fn.write(sriov + SRIOV_CTRL, 2, fn.read(sriov + SRIOV_CTRL, 2) | SRIOV_CTRL_VFE | SRIOV_CTRL_MSE);
        ConfigSpace vfConfig = vfFirmware.getOrDefault(pfAddress, java.util.function.UnaryOperator.identity())
                .apply(VfDerivation.config(fn.snapshot()));
        List<PciAddress> created = new ArrayList<>();
        for (int i = 0; i < numVfs; i++) {
            PciAddress a = VfDerivation.address(fn, i);
            SimFunction vf = fn.newVf(a, i, vfConfig.copy(), vfBarSizes.getOrDefault(pfAddress, new long[7]));
            SimPciDev vpdev = new SimPciDev(vf, pf.pdev());
            nodes.put(a, new Node(vf, vpdev, iommu.probe(vpdev, iommu.newGroup(nextGroup++))));
            created.add(a);
        }
        vfsOf.put(pfAddress, List.copyOf(created));
        return List.copyOf(created);
    }
}
