package dev.vcap.guest;

/**
 * What the guest kernel knows about its device from outside the device's own config space: the
 * bridges above it, firmware's verdicts and kernel options. {@link GuestPciDev} sees one function;
 * these facts feed the rules that look beyond it.
 *
 * @param bridgeEetlpPrefix the upstream bridge has End-End TLP Prefixes ({@code eetlp_prefix_max}
 *                          non-zero) — consulted for functions that are neither a Root Port nor an
 *                          RC integrated endpoint ({@code pci_configure_eetlp_prefix},
 *                          drivers/pci/probe.c); false when there is no upstream bridge
 * @param pathAcsEnabled    every bridge from the upstream one to the root has ACS Request Redirect
 *                          and Upstream Forwarding enabled ({@code pci_acs_path_enabled}; the
 *                          function itself is checked from its own registers); true on a root bus
 * @param untrusted         the function sits behind an external-facing port
 *                          ({@code set_pcie_untrusted}): no ATS, ACS Translation Blocking enabled
 * @param pasidNoTlp        the {@code pasid_no_tlp} quirk: PASID works without TLP prefixes
 * @param atsDisabled       {@code pci=noats} (or a platform that forbids ATS): {@code ats_cap} stays 0
 * @param iommuPresent      an IOMMU driver requested ACS ({@code pci_request_acs}), so probe enables
 *                          the ACS controls the device has
 */
public record GuestTopology(boolean bridgeEetlpPrefix, boolean pathAcsEnabled, boolean untrusted, boolean pasidNoTlp,
        boolean atsDisabled, boolean iommuPresent) {

    /**
     * A function behind a root port that has End-End TLP prefixes and ACS redirect enabled, with a
     * vIOMMU: the setup in which a guest can use PASID, PRI and ATS at all.
     */
    public static GuestTopology behindRootPort() {
        return new GuestTopology(true, true, false, false, false, true);
    }

    public GuestTopology withBridgeEetlpPrefix(boolean value) {
        return new GuestTopology(value, pathAcsEnabled, untrusted, pasidNoTlp, atsDisabled, iommuPresent);
    }

    public GuestTopology withPathAcsEnabled(boolean value) {
        return new GuestTopology(bridgeEetlpPrefix, value, untrusted, pasidNoTlp, atsDisabled, iommuPresent);
    }

    public GuestTopology withUntrusted(boolean value) {
        return new GuestTopology(bridgeEetlpPrefix, pathAcsEnabled, value, pasidNoTlp, atsDisabled, iommuPresent);
    }

    public GuestTopology withPasidNoTlp(boolean value) {
        return new GuestTopology(bridgeEetlpPrefix, pathAcsEnabled, untrusted, value, atsDisabled, iommuPresent);
    }

    public GuestTopology withAtsDisabled(boolean value) {
        return new GuestTopology(bridgeEetlpPrefix, pathAcsEnabled, untrusted, pasidNoTlp, value, iommuPresent);
    }

    public GuestTopology withIommuPresent(boolean value) {
        return new GuestTopology(bridgeEetlpPrefix, pathAcsEnabled, untrusted, pasidNoTlp, atsDisabled, value);
    }
}
