package dev.vcap.pci.decode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.capability.Capability;
import dev.vcap.pci.capability.CapabilityChain;
import dev.vcap.pci.capability.CapabilityKind;
import dev.vcap.pci.capability.DeviceTraits;
import dev.vcap.pci.capability.ExtendedCapability;
import dev.vcap.pci.capability.StandardCapability;
import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.DeviceImage;
import dev.vcap.pci.config.Header;
import dev.vcap.pci.dump.DumpFormatException;
import dev.vcap.pci.dump.Dumps;
import dev.vcap.pci.testing.Corpus;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Views never throw on device data, and never name a register outside the structure the catalogue
 * sizes: over every corpus device and over thousands of seeded random images.
 */
class DecodeRobustnessTest {

    /** Every catalogue entry, both spaces. */
    static final List<CapabilityKind> KINDS = Stream.concat(Stream.of(StandardCapability.values()),
            Stream.of(ExtendedCapability.values())).map(k -> (CapabilityKind) k).toList();

    /**
     * Bytes a structure always has even when its own length field says less (the field lives in
     * them): VSEC and DVSEC headers, the vendor-specific capability's length byte.
     */
    static final Map<CapabilityKind, Integer> LENGTH_FIELD_FLOOR = Map.of(ExtendedCapability.VENDOR, 8,
            ExtendedCapability.DVSEC, DvsecView.MIN_LENGTH, StandardCapability.VENDOR, 3);

    /** Calls fields(), toString() and every public no-argument accessor (int arguments get 0..2). */
    static int exercise(RegisterView view) {
        int calls = 0;
        assertThat(view.fields()).isNotNull();
        assertThat(view.toString()).isNotNull();
        assertThat(view.name()).isNotBlank();
        for (Method m : view.getClass().getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class) {
                continue;
            }
            try {
                if (m.getParameterCount() == 0) {
                    m.invoke(view);
                    calls++;
                } else if (m.getParameterCount() == 1 && m.getParameterTypes()[0] == int.class
                        && !m.getName().startsWith("read") && !m.getName().equals("captured")) {
                    for (int arg : new int[] {-1, 0, 1, 2, 7, 40}) {
                        m.invoke(view, arg);
                        calls++;
                    }
                }
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            } catch (InvocationTargetException e) {
                throw new AssertionError(view.getClass().getSimpleName() + "." + m.getName() + " threw on device data",
                        e.getCause());
            }
        }
        return calls;
    }

    /** Every captured field of a walked capability lies inside the structure the catalogue sizes. */
    static void assertInsideStructure(CapabilityView view, Capability c, List<String> problems, String where) {
        if (!c.lengthKnown()) {
            return;
        }
        int end = c.offset() + Math.max(c.length(), LENGTH_FIELD_FLOOR.getOrDefault(view.kind(), 0));
        for (RegisterField f : view.fields()) {
            if (f.offset() < c.offset() || f.offset() + f.width() > end) {
                problems.add(where + ": " + view.kind().abbreviation() + "@0x" + Integer.toHexString(c.offset())
                        + " length " + c.length() + " but field " + f);
                return;
            }
        }
    }

    static void checkImage(ConfigSpace cs, List<String> problems, String where) {
        Decoders.header(cs).ifPresent(DecodeRobustnessTest::exercise);
        CapabilityChain chain = CapabilityChain.walk(cs);
        for (Capability c : chain.all().toList()) {
            Decoders.view(cs, c, chain.traits()).ifPresent(v -> {
                exercise(v);
                assertInsideStructure(v, c, problems, where);
            });
            Decoders.view(cs, c); // the traits-free entry point walks again where it must
        }
        assertThat(Decoders.views(cs, chain)).hasSizeLessThanOrEqualTo((int) chain.all().count());
    }

    @Test
    void corpusDevicesDecodeWithoutThrowingAndInsideTheirStructures() throws Exception {
        Corpus.require();
        List<Path> files = new ArrayList<>(Corpus.dumps());
        files.addAll(Corpus.damaged());
        List<String> problems = new ArrayList<>();
        int devices = 0;
        for (Path file : files) {
            List<DeviceImage> images;
            try {
                images = Dumps.readAll(file);
            } catch (DumpFormatException e) {
                continue; // bad input is the reader's business, not the views'
            }
            for (DeviceImage image : images) {
                checkImage(image.config(), problems, file.getFileName() + " " + image.address());
                devices++;
            }
        }
        assertThat(problems).as("fields outside their structure").isEmpty();
        assertThat(devices).isGreaterThan(500);
    }

    @Test
    void randomImagesDecodeWithoutThrowingAndInsideTheirStructures() {
        List<String> problems = new ArrayList<>();
        for (long seed = 1; seed <= 3000; seed++) {
            Random random = new Random(seed);
            ConfigSpace cs = randomImage(random);
            checkImage(cs, problems, "seed " + seed);
        }
        assertThat(problems).as("fields outside their structure").isEmpty();
    }

    @Test
    void everyKindAtAnyOffsetOfAnyImageDecodesWithoutThrowing() {
        Random random = new Random(42);
        int views = 0;
        for (int i = 0; i < 400; i++) {
            ConfigSpace cs = randomImage(random);
            DeviceTraits traits = new DeviceTraits(random.nextInt(4), random.nextInt(12) - 1, random.nextInt(64));
            for (CapabilityKind kind : KINDS) {
                int offset = switch (random.nextInt(4)) {
                    case 0 -> cs.length() - random.nextInt(16);
                    case 1 -> ConfigSpace.EXTENDED_SIZE - 4;
                    default -> random.nextInt(ConfigSpace.EXTENDED_SIZE) & ~3;
                };
                var view = Decoders.view(cs, kind, offset, traits);
                if (view.isPresent()) {
                    exercise(view.get());
                    views++;
                }
            }
        }
        assertThat(views).isGreaterThan(400 * 20);
    }

    /**
     * Random bytes shaped so that walks find capabilities: a random captured length, the
     * capability-list bit usually set, often a PCI Express capability and an extended chain of
     * known IDs with random registers.
     */
    static ConfigSpace randomImage(Random random) {
        int[] lengths = {ConfigSpace.HEADER_SIZE, ConfigSpace.CONVENTIONAL_SIZE, ConfigSpace.EXTENDED_SIZE,
            ConfigSpace.EXTENDED_SIZE, ConfigSpace.EXTENDED_SIZE, 16 * (1 + random.nextInt(256))};
        byte[] bytes = new byte[lengths[random.nextInt(lengths.length)]];
        random.nextBytes(bytes);
        ConfigSpace cs = ConfigSpace.wrap(bytes);
        if (!cs.captured(0x40, 4)) {
            return cs;
        }
        cs.setU8(Header.HEADER_TYPE, random.nextInt(3));
        cs.setU16(Header.STATUS, cs.u16(Header.STATUS) | Header.STATUS_CAPABILITY_LIST);
        // a standard chain of known IDs
        int[] standardIds = {0x01, 0x05, 0x09, 0x10, 0x11, 0x10, 0x05};
        int at = 0x40 + 4 * random.nextInt(8);
        cs.setU8(Header.CAPABILITIES_POINTER, at);
        for (int n = 0; n < 1 + random.nextInt(4) && at + 4 <= Math.min(cs.length(), 0xFC); n++) {
            cs.setU8(at, standardIds[random.nextInt(standardIds.length)]);
            int next = at + 0x10 + 4 * random.nextInt(12);
            cs.setU8(at + 1, next < Math.min(cs.length(), 0x100) && random.nextInt(5) > 0 ? next : 0);
            at = cs.u8(at + 1);
            if (at == 0) {
                break;
            }
        }
        if (cs.captured(0x100, 4)) {
            ExtendedCapability[] ext = ExtendedCapability.values();
            int where = 0x100;
            for (int n = 0; n < 1 + random.nextInt(8); n++) {
                int next = where + 0x10 + 4 * random.nextInt(64);
                boolean more = next + 4 <= cs.length() && random.nextInt(6) > 0;
                cs.setU32(where, ExtendedCapability.header(ext[random.nextInt(ext.length)].id(), 1 + random.nextInt(2),
                        more ? next : 0));
                if (!more) {
                    break;
                }
                where = next;
            }
        }
        return cs;
    }
}
