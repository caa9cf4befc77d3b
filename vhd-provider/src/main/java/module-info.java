/**
 * Microsoft's VHD format (QEMU's vpc): fixed, dynamic and differencing images. Its package {@code io.qcow4j.vhd.shared}
 * holds what the VDI and VHDX providers read through too: an image mapped block by block to its file or its parent,
 * and the parent found among several stored names.
 */
@SuppressWarnings("module")
module io.qcow4j.vhd {
    requires transitive io.qcow4j;
    requires io.qcow4j.nativeaccess;
    requires static com.google.auto.service;

    exports io.qcow4j.vhd;
    exports io.qcow4j.vhd.shared to io.qcow4j.vdi, io.qcow4j.vhdx, io.qcow4j.parallels;

    provides io.qcow4j.spi.ImageFormatProvider with io.qcow4j.vhd.VhdFormatProvider;
}
