package dev.vcap.host.uapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vcap.host.HostException;
import dev.vcap.host.HwptAlloc;
import dev.vcap.host.Rule;
import dev.vcap.host.sim.SimHost;
import dev.vcap.host.sim.SimIommufd;
import dev.vcap.host.sim.SimVfioDevice;
import dev.vcap.host.testing.Devices;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * Fuzzes the uAPI decoders and {@link UapiIoctls} with arbitrary user buffers. The first input
 * byte picks the ioctl (bits 0-1: attach, detach, hw_info, hwpt_alloc) and whether the device has
 * PASID ops (bit 2); the rest is the user buffer, exactly as long as it is.
 *
 * <p>Invariants: decoding yields a value or a {@link HostException} of one of the structure's
 * documented argument rules, with that rule's errno; decoding never writes the buffer; a decoded
 * value holds the buffer's fields (iommufd structures zero-extended past {@code size}, as
 * copy_struct_from_user does); an ioctl that fails leaves the buffer as it was; one that succeeds
 * writes only its output fields, and never past the size the user gave.
 *
 * <p>Regression inputs: {@code src/test/resources/dev/vcap/host/uapi/UapiFuzzTestInputs/ioctl/}.
 */
class UapiFuzzTest {

    static final Set<Rule> VFIO_RULES = EnumSet.of(Rule.USER_BUFFER_FAULT, Rule.ARGSZ_BELOW_MINIMUM,
            Rule.UNKNOWN_FLAGS, Rule.ARGSZ_TOO_SMALL_FOR_PASID, Rule.PASID_OPS_MISSING);
    static final Set<Rule> IOMMUFD_RULES = EnumSet.of(Rule.USER_BUFFER_FAULT, Rule.SIZE_BELOW_MINIMUM,
            Rule.NONZERO_TRAILING_BYTES);
    static final Set<Rule> HW_INFO_RULES = EnumSet.of(Rule.USER_BUFFER_FAULT, Rule.SIZE_BELOW_MINIMUM,
            Rule.NONZERO_TRAILING_BYTES, Rule.HW_INFO_FLAGS_OR_RESERVED);

    @FuzzTest(maxDuration = "30s")
    void ioctl(byte[] data) {
        if (data.length == 0) {
            return;
        }
        int kind = data[0] & 3;
        boolean pasidOps = (data[0] & 4) != 0;
        byte[] buffer = Arrays.copyOfRange(data, 1, data.length);
        SimHost host = SimHost.builder().pasidOps(pasidOps).function(Devices.PF, Devices.sriovPf()).build();
        SimIommufd fd = host.openIommufd();
        SimVfioDevice dev = host.openDevice(Devices.PF);
        try (Arena arena = Arena.ofConfined()) {
            int devId = dev.bind(fd);
            int ioas = fd.allocIoas();
            fd.allocHwpt(HwptAlloc.paging(devId, ioas, HwptAlloc.PASID));
            MemorySegment user = arena.allocate(Math.max(buffer.length, 1)).asSlice(0, buffer.length);
            MemorySegment.copy(buffer, 0, user, ValueLayout.JAVA_BYTE, 0, buffer.length);

            decodeOnly(kind, pasidOps, user, buffer);

            try {
                switch (kind) {
                    case 0 -> UapiIoctls.attachIommufdPt(dev, user);
                    case 1 -> UapiIoctls.detachIommufdPt(dev, user);
                    case 2 -> UapiIoctls.getHwInfo(fd, user);
                    default -> UapiIoctls.hwptAlloc(fd, user);
                }
            } catch (HostException e) {
                assertThat(e.errno()).isEqualTo(e.rule().errno());
                assertThat(user.toArray(ValueLayout.JAVA_BYTE)).as("a failed ioctl writes nothing").isEqualTo(buffer);
                return;
            }
            byte[] after = user.toArray(ValueLayout.JAVA_BYTE);
            long userSize = buffer.length >= 4 ? Integer.toUnsignedLong(le(buffer).getInt(0)) : 0;
            int[][] outputs = switch (kind) {
                case 0 -> new int[][] {{8, 12}};
                case 1 -> new int[][] {};
                case 2 -> new int[][] {{12, 16}, {24, 29}, {32, 40}};
                default -> new int[][] {{16, 20}};
            };
            long writable = switch (kind) {
                case 0 -> VfioDeviceAttachIommufdPt.MIN_SIZE;
                case 1 -> 0;
                case 2 -> Math.min(userSize, IommuHwInfo.LAYOUT.byteSize());
                default -> Math.min(userSize, IommuHwptAlloc.LAYOUT.byteSize());
            };
            for (int i = 0; i < buffer.length; i++) {
                boolean output = false;
                for (int[] o : outputs) {
                    output |= i >= o[0] && i < o[1];
                }
                if (!output || i >= writable) {
                    assertThat(after[i]).as("byte %d after a successful ioctl %d", i, kind).isEqualTo(buffer[i]);
                }
            }
        } finally {
            dev.close();
        }
    }

    /** The codecs alone: a value holding the buffer's fields, or one of the structure's rules. */
    static void decodeOnly(int kind, boolean pasidOps, MemorySegment user, byte[] buffer) {
        Set<Rule> allowed = switch (kind) {
            case 0, 1 -> VFIO_RULES;
            case 2 -> HW_INFO_RULES;
            default -> IOMMUFD_RULES;
        };
        try {
            switch (kind) {
                case 0 -> {
                    VfioDeviceAttachIommufdPt.Args a = VfioDeviceAttachIommufdPt.decode(user, pasidOps);
                    ByteBuffer b = le(buffer);
                    assertThat(a.argsz()).isEqualTo(b.getInt(0));
                    assertThat(a.flags()).isEqualTo(b.getInt(4));
                    assertThat(a.ptId()).isEqualTo(b.getInt(8));
                    assertThat(a.pasid()).isEqualTo(a.hasPasid() ? b.getInt(12) : 0);
                    assertThat(Integer.toUnsignedLong(a.argsz())).isGreaterThanOrEqualTo(a.hasPasid() ? 16 : 12);
                    assertThat(a.flags() & ~VfioDeviceAttachIommufdPt.FLAG_PASID).isZero();
                    assertThat(pasidOps || !a.hasPasid()).isTrue();
                }
                case 1 -> {
                    VfioDeviceDetachIommufdPt.Args a = VfioDeviceDetachIommufdPt.decode(user, pasidOps);
                    ByteBuffer b = le(buffer);
                    assertThat(a.argsz()).isEqualTo(b.getInt(0));
                    assertThat(a.flags()).isEqualTo(b.getInt(4));
                    assertThat(a.pasid()).isEqualTo(a.hasPasid() ? b.getInt(8) : 0);
                    assertThat(Integer.toUnsignedLong(a.argsz())).isGreaterThanOrEqualTo(a.hasPasid() ? 12 : 8);
                    assertThat(a.flags() & ~VfioDeviceDetachIommufdPt.FLAG_PASID).isZero();
                    assertThat(pasidOps || !a.hasPasid()).isTrue();
                }
                case 2 -> {
                    IommuHwInfo.Request r = IommuHwInfo.decode(user);
                    ByteBuffer k = kernelCopy(buffer, IommuHwInfo.LAYOUT.byteSize(), IommuHwInfo.MIN_SIZE);
                    assertThat(r).isEqualTo(new IommuHwInfo.Request(k.getInt(0), k.getInt(4), k.getInt(8),
                            k.getInt(12), k.getLong(16), 0));
                    assertThat(r.flags()).isZero();
                    assertThat(k.get(29) | k.get(30) | k.get(31)).isZero();
                }
                default -> {
                    HwptAlloc r = IommuHwptAlloc.decode(user);
                    ByteBuffer k = kernelCopy(buffer, IommuHwptAlloc.LAYOUT.byteSize(), IommuHwptAlloc.MIN_SIZE);
                    assertThat(r).isEqualTo(new HwptAlloc(k.getInt(4), k.getInt(8), k.getInt(12), k.getInt(24),
                            k.getInt(28), k.getInt(40), k.getInt(20)));
                }
            }
        } catch (HostException e) {
            assertThat(allowed).as("rule of %s", e.getMessage()).contains(e.rule());
            assertThat(e.errno()).isEqualTo(e.rule().errno());
        }
        assertThat(user.toArray(ValueLayout.JAVA_BYTE)).as("decoding writes nothing").isEqualTo(buffer);
    }

    /**
     * The structure as the kernel sees it after a successful copy_struct_from_user: the user's
     * {@code size} bytes, zero-extended to the kernel's size.
     */
    static ByteBuffer kernelCopy(byte[] buffer, long kernelSize, long minSize) {
        long userSize = Integer.toUnsignedLong(le(buffer).getInt(0));
        assertThat(userSize).isGreaterThanOrEqualTo(minSize).isLessThanOrEqualTo(buffer.length);
        for (long i = kernelSize; i < userSize; i++) {
            assertThat(buffer[(int) i]).as("trailing byte %d", i).isZero();
        }
        byte[] k = new byte[(int) kernelSize];
        System.arraycopy(buffer, 0, k, 0, (int) Math.min(userSize, kernelSize));
        return le(k);
    }

    static ByteBuffer le(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    }
}
