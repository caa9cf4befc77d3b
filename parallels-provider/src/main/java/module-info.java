/** The Parallels expanding disk format ({@code .hds}), as QEMU's {@code parallels} driver reads it. */
module io.qcow4j.parallels {
    requires transitive io.qcow4j;
    requires io.qcow4j.nativeaccess;
    requires io.qcow4j.vhd;
    requires java.xml;
    requires static com.google.auto.service;

    exports io.qcow4j.parallels;

    provides io.qcow4j.spi.ImageFormatProvider with io.qcow4j.parallels.ParallelsFormatProvider;
}
