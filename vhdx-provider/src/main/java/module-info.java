/** Microsoft's VHDX format: fixed, dynamic and differencing images, a pending log replayed in memory. */
module io.qcow4j.vhdx {
    requires transitive io.qcow4j;
    requires io.qcow4j.nativeaccess;
    requires io.qcow4j.vhd;
    requires static com.google.auto.service;

    exports io.qcow4j.vhdx;

    provides io.qcow4j.spi.ImageFormatProvider with io.qcow4j.vhdx.VhdxFormatProvider;
}
