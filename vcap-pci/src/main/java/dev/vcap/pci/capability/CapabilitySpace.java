package dev.vcap.pci.capability;

/** Which list a capability lives in. */
public enum CapabilitySpace {
    /** Conventional space, chained from the pointer at 0x34; 8-bit IDs. */
    STANDARD,
    /** PCIe extended space, chained from 0x100; 16-bit IDs with a 4-bit version. */
    EXTENDED;

    /** The lower-case name used in JSON and text output. */
    public String label() {
        return this == STANDARD ? "standard" : "extended";
    }
}
