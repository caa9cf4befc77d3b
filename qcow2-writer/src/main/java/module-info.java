/** Writes qcow2 images: {@code qemu-img create -f qcow2}, {@code convert -O qcow2} and {@code measure}. */
module io.qcow4j.qcow2.write {
    requires transitive io.qcow4j;
    requires transitive io.qcow4j.convert;
    requires com.github.luben.zstd_jni;
    requires io.qcow4j.nativeaccess;

    exports io.qcow4j.qcow2.write;
}
