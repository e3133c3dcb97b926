package dev.vcap.pci.config;

import java.util.Objects;

/**
 * One device as a source described it: its address, the description text of its header line (empty
 * when the source had none), the captured config-space bytes, and where it came from.
 *
 * @param address     the function's address
 * @param description text after the address on an lspci header line, or a description built from
 *                    sysfs; never null
 * @param config      captured bytes
 * @param origin      file and line, or sysfs path, for messages; never null
 */
public record DeviceImage(PciAddress address, String description, ConfigSpace config, String origin) {

    public DeviceImage {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(origin, "origin");
    }

    public int vendorId() {
        return config.u16(Header.VENDOR_ID);
    }

    public int deviceId() {
        return config.u16(Header.DEVICE_ID);
    }
}
