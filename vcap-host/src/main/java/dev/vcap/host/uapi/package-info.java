/**
 * Byte-exact codecs of the uAPI structures the host contract uses, each described by a
 * {@link java.lang.foreign.MemoryLayout} at the sizes and offsets of the Linux 6.15 headers
 * ({@code include/uapi/linux/vfio.h}, {@code include/uapi/linux/iommufd.h}), and {@link
 * dev.vcap.host.uapi.UapiIoctls}, which turns a user buffer into a contract call with the kernel's
 * {@code argsz}/{@code size}, flag and reserved-byte rules. Fields are native-endian, as the ioctl
 * passes them; a real ioctl backend hands these segments to the kernel unchanged.
 */
package dev.vcap.host.uapi;
