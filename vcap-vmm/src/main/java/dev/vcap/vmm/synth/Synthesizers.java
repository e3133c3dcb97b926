package dev.vcap.vmm.synth;

import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.vmm.config.CapabilityDefinition;
import dev.vcap.vmm.config.Origin;
import dev.vcap.vmm.config.VmmEvent;
import java.util.List;

/**
 * One small helper per capability the VMM builds, in the manner of QEMU's {@code pcie_pasid_init},
 * {@code pcie_pri_init} and {@code pcie_ats_init}. Each returns an unbound definition: registers at
 * their reset values, per-bit write semantics, and a hook that turns guest writes into
 * {@link VmmEvent}s. Nothing a guest writes to these reaches hardware.
 */
public final class Synthesizers {

    /** PASID Capability register (+4) and Control register (+6). */
    public static final int PASID_CAPABILITY = 0x04;
    public static final int PASID_CONTROL = 0x06;
    public static final int PASID_EXECUTE = 1 << 1;
    public static final int PASID_PRIVILEGED = 1 << 2;
    public static final int PASID_WIDTH_SHIFT = 8;
    public static final int PASID_ENABLE = 1 << 0;
    /** Enable, Execute Permission Enable, Privileged Mode Enable (QEMU's mask). */
    public static final int PASID_CONTROL_WRITABLE = 0x07;
    public static final int PASID_LENGTH = 8;

    /** PRI Control (+4), Status (+6), Outstanding Page Request Capacity (+8) and Allocation (+0xC). */
    public static final int PRI_CONTROL = 0x04;
    public static final int PRI_STATUS = 0x06;
    public static final int PRI_CAPACITY = 0x08;
    public static final int PRI_ALLOCATION = 0x0C;
    public static final int PRI_ENABLE = 1 << 0;
    public static final int PRI_RESET = 1 << 1;
    public static final int PRI_RESPONSE_FAILURE = 1 << 0;
    public static final int PRI_UNEXPECTED_INDEX = 1 << 1;
    public static final int PRI_STOPPED = 1 << 8;
    public static final int PRI_PASID_REQUIRED = 1 << 15;
    public static final int PRI_LENGTH = 16;

    /** ATS Capability (+4) and Control (+6). */
    public static final int ATS_CAPABILITY = 0x04;
    public static final int ATS_CONTROL = 0x06;
    public static final int ATS_QUEUE_DEPTH_MASK = 0x1F;
    public static final int ATS_PAGE_ALIGNED = 1 << 5;
    public static final int ATS_GLOBAL_INVALIDATE = 1 << 6;
    public static final int ATS_STU_MASK = 0x1F;
    public static final int ATS_ENABLE = 1 << 15;
    /** STU and Enable, as QEMU's {@code pcie_ats_init} sets it (STU bit 4 stays read-only zero). */
    public static final int ATS_CONTROL_WRITABLE = 0x800F;
    public static final int ATS_LENGTH = 8;

    /** QEMU's offsets for NVIDIA's GPUDirect clique capability: 0xC8, or 0xD4 when 0xC8 is taken. */
    public static final List<Integer> GPUDIRECT_OFFSETS = List.of(0xC8, 0xD4);

    private Synthesizers() {
    }

    /**
     * A PASID capability (ID 0x1B, version 1, 8 bytes).
     *
     * <pre>
     *  15      13 12        8 7      3   2     1    0
     * +----------+-----------+--------+-----+-----+----+
     * | reserved | Max Width | rsvd   |Priv |Exec |rsvd|  +4 Capability (RO)
     * +----------+-----------+--------+-----+-----+----+
     * |              reserved         |Priv |Exec | En |  +6 Control (RW, mask 0x07)
     * +-------------------------------+-----+-----+----+
     * </pre>
     */
    public static CapabilityDefinition pasid(PasidSupport support) {
        if (!support.supported()) {
            throw new IllegalArgumentException("no PASID support to synthesize");
        }
        int capability = support.width() << PASID_WIDTH_SHIFT | (support.execute() ? PASID_EXECUTE : 0)
                | (support.privileged() ? PASID_PRIVILEGED : 0);
        return CapabilityDefinition.builder(CapabilitySpace.EXTENDED, ExtendedCapability.PASID.id(), 1, PASID_LENGTH)
                .value(PASID_CAPABILITY, 2, capability)
                .writable(PASID_CONTROL, 2, PASID_CONTROL_WRITABLE)
                .hook((regs, events) -> {
                    int before = regs.before(PASID_CONTROL, 2);
                    int after = regs.after(PASID_CONTROL, 2);
                    if (before != after) {
                        events.accept(new VmmEvent.PasidControl(regs.offset(), (after & PASID_ENABLE) != 0,
                                (after & PASID_EXECUTE) != 0, (after & PASID_PRIVILEGED) != 0));
                    }
                })
                .build();
    }

    /**
     * A PRI capability (ID 0x13, version 1, 16 bytes), Stopped at reset.
     *
     * <pre>
     * +0x04 Control  (u16): 0 Enable (RW), 1 Reset (RW, reads 0)
     * +0x06 Status   (u16): 0 Response Failure (RW1C), 1 Unexpected PRG Index (RW1C),
     *                       8 Stopped (RO), 15 PRG Response PASID Required (RO)
     * +0x08 Outstanding Page Request Capacity   (u32, RO)
     * +0x0C Outstanding Page Request Allocation (u32, RW)
     * </pre>
     *
     * Unlike QEMU's {@code pcie_pri_init()} (hw/pci/pcie.c), where Reset is a plain read-write bit
     * that reads back what was written and Stopped is a constant 1, these follow the PCIe
     * specification (Page Request Control and Status registers): Reset reads 0 and acts (a
     * {@link VmmEvent.PriReset}) only when Enable is clear or cleared by the same write; Stopped
     * reads 1 while Enable is clear and 0 while it is set, where the specification leaves it
     * undefined. QEMU 11.0's vfio-pci synthesizes no PRI, so an assigned device has no QEMU
     * behaviour to match (docs/VMM.md).
     *
     * @param capacity      outstanding page requests the host can take
     * @param pasidRequired whether PRG responses carry a PASID
     */
    public static CapabilityDefinition pri(int capacity, boolean pasidRequired) {
        return CapabilityDefinition.builder(CapabilitySpace.EXTENDED, ExtendedCapability.PRI.id(), 1, PRI_LENGTH)
                .value(PRI_STATUS, 2, PRI_STOPPED | (pasidRequired ? PRI_PASID_REQUIRED : 0))
                .value(PRI_CAPACITY, 4, capacity)
                .writable(PRI_CONTROL, 2, PRI_ENABLE | PRI_RESET)
                .writeOneToClear(PRI_STATUS, 2, PRI_RESPONSE_FAILURE | PRI_UNEXPECTED_INDEX)
                .writable(PRI_ALLOCATION, 4, 0xFFFFFFFF)
                .hook((regs, events) -> {
                    int before = regs.before(PRI_CONTROL, 2);
                    int after = regs.after(PRI_CONTROL, 2);
                    if ((after & PRI_RESET) != 0) {
                        regs.set(PRI_CONTROL, 2, after & ~PRI_RESET); // Reset reads back 0
                        if ((after & PRI_ENABLE) == 0) { // it acts only with Enable clear, or cleared by this write
                            events.accept(new VmmEvent.PriReset(regs.offset()));
                        }
                    }
                    if (((before ^ after) & PRI_ENABLE) != 0) {
                        boolean enabled = (after & PRI_ENABLE) != 0;
                        int status = regs.after(PRI_STATUS, 2);
                        // Stopped: PRI is disabled and nothing is outstanding (nothing ever is here)
                        regs.set(PRI_STATUS, 2, enabled ? status & ~PRI_STOPPED : status | PRI_STOPPED);
                        events.accept(new VmmEvent.PriControl(regs.offset(), enabled));
                    }
                    int allocation = regs.after(PRI_ALLOCATION, 4);
                    if (allocation != regs.before(PRI_ALLOCATION, 4)) {
                        events.accept(new VmmEvent.PriAllocation(regs.offset(), allocation));
                    }
                })
                .build();
    }

    /**
     * An ATS capability (ID 0x0F, version 1, 8 bytes).
     *
     * <pre>
     * +0x04 Capability (u16, RO): 4:0 Invalidate Queue Depth (0 = 32), 5 Page Aligned Request,
     *                             6 Global Invalidate Supported
     * +0x06 Control    (u16):     4:0 Smallest Translation Unit, 15 Enable (write mask 0x800F)
     * </pre>
     */
    public static CapabilityDefinition ats(int invalidateQueueDepth, boolean pageAligned, boolean globalInvalidate) {
        int capability = invalidateQueueDepth & ATS_QUEUE_DEPTH_MASK | (pageAligned ? ATS_PAGE_ALIGNED : 0)
                | (globalInvalidate ? ATS_GLOBAL_INVALIDATE : 0);
        return CapabilityDefinition.builder(CapabilitySpace.EXTENDED, ExtendedCapability.ATS.id(), 1, ATS_LENGTH)
                .value(ATS_CAPABILITY, 2, capability)
                .writable(ATS_CONTROL, 2, ATS_CONTROL_WRITABLE)
                .hook((regs, events) -> {
                    int before = regs.before(ATS_CONTROL, 2);
                    int after = regs.after(ATS_CONTROL, 2);
                    if (before != after) {
                        events.accept(new VmmEvent.AtsControl(regs.offset(), (after & ATS_ENABLE) != 0,
                                after & ATS_STU_MASK));
                    }
                })
                .build();
    }

    /**
     * NVIDIA's GPUDirect peer-to-peer clique capability, purely virtual, as QEMU builds it: a
     * standard vendor capability of 8 bytes — ID 0x09, next, length 8, signature "P2P", clique ID
     * in bits 6:3 of byte 6.
     *
     * @param clique 0..15
     */
    public static CapabilityDefinition gpuDirectClique(int clique) {
        if (clique < 0 || clique > 15) {
            throw new IllegalArgumentException("GPUDirect clique ID must be 0..15, got " + clique);
        }
        return CapabilityDefinition.builder(CapabilitySpace.STANDARD, StandardCapability.VENDOR.id(), 0, 8)
                .value(2, 1, 8)
                .value(3, 1, 'P')
                .value(4, 1, '2')
                .value(5, 1, 'P')
                .value(6, 1, clique << 3)
                .origin(Origin.VIRTUAL)
                .build();
    }
}
