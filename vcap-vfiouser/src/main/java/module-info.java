/**
 * A vfio-user server of one guest-visible config space ({@code vcap serve}). Its UNIX socket is
 * opened through {@code dev.vcap.linux}'s libc layer: run with
 * {@code --enable-native-access=dev.vcap.linux}.
 */
module dev.vcap.vfiouser {
    requires transitive dev.vcap.pci;        // BarLayout reads BAR sizes from a ConfigSpace
    requires transitive dev.vcap.host;       // ObservedRegion is a ConfigRegion
    requires transitive dev.vcap.vmm;        // a ServedDevice serves a VirtualConfigSpace
    requires dev.vcap.linux;                 // UnixSockets: socket, bind, accept, SCM_RIGHTS
    requires com.fasterxml.jackson.core;     // the client's JSON capabilities in VFIO_USER_VERSION
    requires com.fasterxml.jackson.databind;

    exports dev.vcap.vfiouser.server;    // VfioUserServer, ServedDevice, Session, BarLayout, ServerEvent
    exports dev.vcap.vfiouser.transport; // what a Session runs over: the UNIX socket, the in-memory pipe
    // dev.vcap.vfiouser.protocol (message framing and codecs) stays inside: Session speaks it
}
