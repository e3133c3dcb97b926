/**
 * The host contract on a real Linux kernel: vfio, iommufd and sysfs through {@code java.lang.foreign}
 * (no JNI), and the libc layer every module that makes system calls shares. Calls native code:
 * run with {@code --enable-native-access=dev.vcap.linux}.
 */
module dev.vcap.linux {
    requires transitive dev.vcap.pci;  // functions are named by PciAddress
    requires transitive dev.vcap.host; // LinuxHost is a Host

    exports dev.vcap.linux;       // LinuxHost, LinuxIommufd, LinuxVfioDevice, KernelFeatures, PasidProbe
    exports dev.vcap.linux.sys;   // Libc, Downcall, Fd, Ioctl: for modules that declare their own calls
    exports dev.vcap.linux.sysfs; // PciFunction: a function's sysfs directory, driver and IOMMU group
    exports dev.vcap.linux.uapi;  // the kernel's vfio/iommufd structures, as LinuxVfioDevice returns them
}
