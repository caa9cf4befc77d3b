/** VirtualBox's VDI format: dynamic, static and differencing images. */
module io.qcow4j.vdi {
    requires transitive io.qcow4j;
    requires io.qcow4j.nativeaccess;
    requires io.qcow4j.vhd;
    requires static com.google.auto.service;

    exports io.qcow4j.vdi;

    provides io.qcow4j.spi.ImageFormatProvider with io.qcow4j.vdi.VdiFormatProvider;
}
