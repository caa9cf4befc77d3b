/** Parallel, sparse conversion of any image to a raw file ({@code qemu-img convert -O raw}). */
module io.qcow4j.convert {
    requires transitive io.qcow4j;
    requires io.qcow4j.nativeaccess;

    exports io.qcow4j.convert;
}
