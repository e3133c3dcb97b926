package dev.vcap.pci.decode;

import dev.vcap.pci.config.ConfigSpace;
import dev.vcap.pci.config.Header;
import dev.vcap.pci.config.Hex;
import java.util.List;

/**
 * Type 0 configuration header (endpoints), 64 bytes (PCIe base spec 7.5.1.2).
 *
 * <pre>
 *  31            24 23            16 15              8 7            0
 * +----------------+----------------+-----------------+--------------+
 * |            Device ID            |            Vendor ID           | 0x00
 * |             Status              |             Command            | 0x04
 * |                Class Code                         | Revision ID  | 0x08
 * |      BIST      |  Header Type   |  Latency Timer  |Cache Line Sz | 0x0C
 * |        Base Address Registers 0-5                                | 0x10 .. 0x24
 * |        Cardbus CIS Pointer                                       | 0x28
 * |          Subsystem ID           |       Subsystem Vendor ID      | 0x2C
 * |        Expansion ROM Base Address (31:11 address, 0 enable)      | 0x30
 * |                  reserved                        |  Cap Pointer  | 0x34
 * |                  reserved                                        | 0x38
 * |     Max_Lat    |    Min_Gnt     |  Interrupt Pin  |Interrupt Line| 0x3C
 * +----------------+----------------+-----------------+--------------+
 * </pre>
 *
 * @param cs the bytes
 */
public record Type0HeaderView(ConfigSpace cs) implements HeaderView {

    @Override
    public String name() {
        return "Type 0 Configuration Header";
    }

    @Override
    public int barCount() {
        return Header.BAR_COUNT_TYPE0;
    }

    public int cardbusCisPointer() {
        return read32(Header.CARDBUS_CIS);
    }

    public int subsystemVendorId() {
        return read16(Header.SUBSYSTEM_VENDOR_ID);
    }

    public int subsystemId() {
        return read16(Header.SUBSYSTEM_ID);
    }

    public int expansionRom() {
        return read32(Header.ROM_ADDRESS_TYPE0);
    }

    public int minGnt() {
        return read8(Header.MIN_GNT);
    }

    public int maxLat() {
        return read8(Header.MAX_LAT);
    }

    @Override
    public List<RegisterField> fields() {
        FieldList f = HeaderFields.common(this);
        f.bars("Base Address Register", Header.BAR0, Header.BAR_COUNT_TYPE0);
        f.register("Cardbus CIS Pointer", Header.CARDBUS_CIS, 4).whole("Cardbus CIS Pointer");
        f.register("Subsystem Vendor ID", Header.SUBSYSTEM_VENDOR_ID, 2).add("Subsystem Vendor ID", 0xFFFF,
                v -> Hex.padded(v, 4));
        f.register("Subsystem ID", Header.SUBSYSTEM_ID, 2).add("Subsystem ID", 0xFFFF, v -> Hex.padded(v, 4));
        HeaderFields.tail(f, Header.ROM_ADDRESS_TYPE0);
        f.register("Min_Gnt", Header.MIN_GNT, 1).number("Min_Gnt", 0xFF);
        f.register("Max_Lat", Header.MAX_LAT, 1).number("Max_Lat", 0xFF);
        return f.list();
    }
}
