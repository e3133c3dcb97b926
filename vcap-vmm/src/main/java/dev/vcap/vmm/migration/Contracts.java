package dev.vcap.vmm.migration;

import dev.vcap.pci.capability.CapabilitySpace;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.vmm.config.HiddenCapability;
import dev.vcap.vmm.config.Origin;
import dev.vcap.vmm.config.VirtualCapability;
import dev.vcap.vmm.config.VirtualConfigSpace;
import dev.vcap.vmm.config.VirtualLayout;
import dev.vcap.vmm.placement.DeviceIdentity;
import dev.vcap.vmm.placement.SyntheticCapability;
import dev.vcap.vmm.synth.Synthesizers;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** Exports a virtual config space's layout as a contract, and its guest-writable state. */
public final class Contracts {

    private Contracts() {
    }

    /** The contract of what the guest of {@code vcs} sees now, under vcap's rule. */
    public static LayoutContract export(VirtualConfigSpace vcs) {
        return export(vcs, LayoutContract.Check.VCAP);
    }

    /**
     * The contract of what the guest of {@code vcs} sees now, under {@code check}: QEMU's rule
     * carries the whole config space the guest reads, as QEMU sends its {@code config[]}.
     */
    public static LayoutContract export(VirtualConfigSpace vcs, LayoutContract.Check check) {
        ConfigSpace image = vcs.guestImage();
        VirtualLayout layout = vcs.layout();
        List<LayoutContract.Entry> caps = new ArrayList<>();
        for (VirtualCapability c : layout.all().toList()) {
            caps.add(new LayoutContract.Entry(c.space(), c.offset(), c.id(), Math.max(c.version(), 0), c.length(),
                    c.origin()));
        }
        List<LayoutContract.Hidden> hidden = new ArrayList<>();
        for (HiddenCapability h : layout.hidden()) {
            hidden.add(new LayoutContract.Hidden(h.space(), h.offset(), h.id(), Math.max(h.version(), 0), h.length()));
        }
        List<LayoutContract.Synthesized> synthesized = new ArrayList<>();
        for (VirtualCapability c : layout.extended()) {
            if (c.origin() != Origin.SYNTHESIZED) {
                continue;
            }
            for (SyntheticCapability s : SyntheticCapability.values()) {
                if (c.is(s.kind())) {
                    synthesized.add(parameters(s, image, c.offset()));
                }
            }
        }
        return new LayoutContract(DeviceIdentity.of(image), vcs.size(), caps, layout.extendedStub(), hidden, synthesized,
                checked(vcs, image), check, check == LayoutContract.Check.QEMU ? image.slice(0, vcs.size())
                : new byte[0]);
    }

    /** Reads a synthesized capability's parameters back from its registers. */
    static LayoutContract.Synthesized parameters(SyntheticCapability s, ConfigSpace image, int at) {
        return switch (s) {
            case PASID -> {
                int cap = image.u16(at + Synthesizers.PASID_CAPABILITY);
                yield new LayoutContract.Synthesized(s, at, cap >>> Synthesizers.PASID_WIDTH_SHIFT & 0x1F,
                        (cap & Synthesizers.PASID_EXECUTE) != 0, (cap & Synthesizers.PASID_PRIVILEGED) != 0, 0, false, 0,
                        false, false);
            }
            case PRI -> new LayoutContract.Synthesized(s, at, 0, false, false, image.u32(at + Synthesizers.PRI_CAPACITY),
                    (image.u16(at + Synthesizers.PRI_STATUS) & Synthesizers.PRI_PASID_REQUIRED) != 0, 0, false, false);
            case ATS -> {
                int cap = image.u16(at + Synthesizers.ATS_CAPABILITY);
                yield new LayoutContract.Synthesized(s, at, 0, false, false, 0, false,
                        cap & Synthesizers.ATS_QUEUE_DEPTH_MASK, (cap & Synthesizers.ATS_PAGE_ALIGNED) != 0,
                        (cap & Synthesizers.ATS_GLOBAL_INVALIDATE) != 0);
            }
        };
    }

    /** Runs of bytes with checked bits, their masks and the guest's values of those bits. */
    static List<LayoutContract.Checked> checked(VirtualConfigSpace vcs, ConfigSpace image) {
        List<LayoutContract.Checked> out = new ArrayList<>();
        ByteArrayOutputStream mask = new ByteArrayOutputStream();
        ByteArrayOutputStream values = new ByteArrayOutputStream();
        int start = -1;
        for (int b = 0; b <= vcs.size(); b++) {
            int m = b < vcs.size() ? vcs.masks(b).checked() : 0;
            if (m != 0) {
                if (start < 0) {
                    start = b;
                }
                mask.write(m);
                values.write(image.u8(b) & m);
            } else if (start >= 0) {
                out.add(new LayoutContract.Checked(start, mask.toByteArray(), values.toByteArray()));
                mask.reset();
                values.reset();
                start = -1;
            }
        }
        return out;
    }

    /** The guest-writable state of {@code vcs}: every byte with emulated writable or w1c bits. */
    public static GuestState state(VirtualConfigSpace vcs) {
        List<GuestState.Byte> bytes = new ArrayList<>();
        for (int b = 0; b < vcs.size(); b++) {
            VirtualConfigSpace.BitMasks m = vcs.masks(b);
            int mask = (m.writable() | m.w1c()) & m.emulated();
            if (mask != 0) {
                bytes.add(new GuestState.Byte(b, mask, vcs.read(b, 1) & mask));
            }
        }
        return new GuestState(bytes);
    }

    /** The space of a standard or extended offset. */
    static CapabilitySpace spaceOf(int offset) {
        return offset < ConfigSpace.CONVENTIONAL_SIZE ? CapabilitySpace.STANDARD : CapabilitySpace.EXTENDED;
    }
}
