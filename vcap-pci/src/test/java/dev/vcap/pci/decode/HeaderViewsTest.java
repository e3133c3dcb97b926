package dev.vcap.pci.decode;

import static dev.vcap.pci.decode.Fields.field;
import static dev.vcap.pci.decode.Fields.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.ConfigSpaceBuilder;
import dev.vcap.pci.config.Header;
import org.junit.jupiter.api.Test;

class HeaderViewsTest {

    @Test
    void type0() {
        ConfigSpace cs = ConfigSpaceBuilder.endpoint(0x8086, 0x0b25).classCode(0x088000).revision(0x01)
                .subsystem(0x8086, 0x0000)
                .with((c, at) -> {
                    c.setU16(Header.COMMAND, HeaderView.COMMAND_MEMORY_SPACE | HeaderView.COMMAND_BUS_MASTER);
                    c.setU32(Header.BAR0, 0xF000_000C); // 64-bit prefetchable
                    c.setU32(Header.BAR0 + 4, 0x0000_0020);
                    c.setU32(Header.BAR0 + 8, 0x0000_E001); // I/O
                    c.setU8(Header.INTERRUPT_PIN, 1);
                    c.setU32(Header.ROM_ADDRESS_TYPE0, 0xFFE0_0001);
                })
                .build();
        Type0HeaderView v = (Type0HeaderView) Decoders.header(cs).orElseThrow();
        assertThat(v.vendorId()).isEqualTo(0x8086);
        assertThat(v.deviceId()).isEqualTo(0x0b25);
        assertThat(v.classCode()).isEqualTo(0x088000);
        assertThat(v.revisionId()).isEqualTo(1);
        assertThat(v.headerType()).isZero();
        assertThat(v.memorySpaceEnabled()).isTrue();
        assertThat(v.busMasterEnabled()).isTrue();
        assertThat(v.ioSpaceEnabled()).isFalse();
        assertThat(v.subsystemVendorId()).isEqualTo(0x8086);
        assertThat(v.bar(1)).isEqualTo(0x20);
        assertThat(v.bar(6)).isZero();
        assertThat(v.interruptPin()).isEqualTo(1);
        assertThat(field(v, "Base Address Register 0", "Memory Type").meaning()).isEqualTo("64-bit");
        assertThat(field(v, "Base Address Register 1", "Base Address (upper 32 bits)").value()).isEqualTo(0x20);
        assertThat(field(v, "Base Address Register 2", "Space Indicator").meaning()).isEqualTo("I/O");
        assertThat(field(v, "Base Address Register 2", "Base Address").meaning()).isEqualTo("0xe000");
        assertThat(field(v, "Interrupt Pin", "Interrupt Pin").meaning()).isEqualTo("INTA#");
        assertThat(value(v, "Expansion ROM Base Address", "Expansion ROM Enable")).isEqualTo(1);
        assertThat(field(v, "Status", "DEVSEL Timing").mask()).isEqualTo(HeaderView.STATUS_DEVSEL_MASK);
        assertThat(v.fields()).allMatch(f -> f.offset() + f.width() <= ConfigSpace.HEADER_SIZE);
    }

    @Test
    void type1() {
        ConfigSpace cs = ConfigSpaceBuilder.bridge(0x8086, 0x466e).with((c, at) -> {
            c.setU8(Header.PRIMARY_BUS, 0);
            c.setU8(Header.SECONDARY_BUS, 1);
            c.setU8(Header.SUBORDINATE_BUS, 3);
            c.setU8(Header.IO_BASE, 0x21); // 32-bit I/O, 0x2000
            c.setU8(Header.IO_LIMIT, 0x31);
            c.setU16(Header.IO_BASE_UPPER, 0x0001);
            c.setU16(Header.IO_LIMIT_UPPER, 0x0001);
            c.setU16(Header.MEMORY_BASE, 0xFE00);
            c.setU16(Header.MEMORY_LIMIT, 0xFE10);
            c.setU16(Header.PREFETCH_BASE, 0x0001);
            c.setU16(Header.PREFETCH_LIMIT, 0x0FF1);
            c.setU32(Header.PREFETCH_BASE_UPPER, 0x40);
            c.setU32(Header.PREFETCH_LIMIT_UPPER, 0x40);
            c.setU16(Header.BRIDGE_CONTROL, Type1HeaderView.BRIDGE_SECONDARY_BUS_RESET | Type1HeaderView.BRIDGE_SERR_ENABLE);
        }).build();
        Type1HeaderView v = (Type1HeaderView) Decoders.header(cs).orElseThrow();
        assertThat(v.secondaryBus()).isEqualTo(1);
        assertThat(v.subordinateBus()).isEqualTo(3);
        assertThat(v.io32()).isTrue();
        assertThat(v.ioBase()).isEqualTo(0x1_2000);
        assertThat(v.ioLimit()).isEqualTo(0x1_3FFF);
        assertThat(v.memoryBase()).isEqualTo(0xFE00_0000L);
        assertThat(v.memoryLimit()).isEqualTo(0xFE1F_FFFFL);
        assertThat(v.prefetchable64()).isTrue();
        assertThat(v.prefetchableBase()).isEqualTo(0x40_0000_0000L);
        assertThat(v.prefetchableLimit()).isEqualTo(0x40_0FFF_FFFFL);
        assertThat(v.secondaryBusReset()).isTrue();
        assertThat(v.barCount()).isEqualTo(2);
        assertThat(value(v, "Bridge Control", "SERR# Enable")).isEqualTo(1);
        assertThat(field(v, "Memory Limit", "Memory Limit Address[31:20]").meaning()).isEqualTo("0xfe1fffff");
    }

    @Test
    void cardBusAndUncapturedHeadersHaveNoView() {
        ConfigSpace cardbus = ConfigSpace.allocate(ConfigSpace.CONVENTIONAL_SIZE);
        cardbus.setU8(Header.HEADER_TYPE, Header.TYPE_CARDBUS);
        assertThat(Decoders.header(cardbus)).isEmpty();
        ConfigSpace tiny = ConfigSpace.allocate(16);
        tiny.setU16(Header.VENDOR_ID, 0x8086);
        Type0HeaderView v = (Type0HeaderView) Decoders.header(tiny).orElseThrow();
        assertThat(v.vendorId()).isEqualTo(0x8086);
        assertThat(v.subsystemId()).isZero();
        assertThat(field(v, "Subsystem ID", "Subsystem ID").captured()).isFalse();
        assertThat(field(v, "Vendor ID", "Vendor ID").captured()).isTrue();
    }
}
