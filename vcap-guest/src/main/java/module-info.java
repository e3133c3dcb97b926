/** A Linux guest in miniature: probes a config space and caches capability offsets as Linux does. */
module dev.vcap.guest {
    requires transitive dev.vcap.pci; // capability IDs come from its catalogue

    exports dev.vcap.guest; // ConfigPort, GuestPciDev and Linux's capability finders
}
