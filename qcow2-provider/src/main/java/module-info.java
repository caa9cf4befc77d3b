/** The qcow2 and raw formats: {@code Images.open} finds them through the service they provide. */
module io.qcow4j.qcow2 {
    requires transitive io.qcow4j;
    requires com.github.luben.zstd_jni;
    requires com.google.gson;
    requires io.qcow4j.nativeaccess;
    requires static com.google.auto.service;

    exports io.qcow4j.qcow2;
    exports io.qcow4j.raw;

    provides io.qcow4j.spi.ImageFormatProvider with io.qcow4j.qcow2.Qcow2FormatProvider,
            io.qcow4j.raw.RawFormatProvider;
}
