/** The C calls qcow4j makes (libc, and libraries such as libdeflate) through jffi. Not API: qcow4j's modules only. */
module io.qcow4j.nativeaccess {
    requires io.qcow4j;
    requires transitive org.jnrproject.jffi;

    exports io.qcow4j.nativeaccess to io.qcow4j.qcow2, io.qcow4j.convert;
}
