/**
 * The C calls qcow4j makes (libc, and libraries such as libdeflate) through jffi. Not API: qcow4j's modules only,
 * which are compiled after this one (hence the warnings suppressed: they are not found yet).
 */
@SuppressWarnings({"module", "requires-transitive-automatic"})
module io.qcow4j.nativeaccess {
    requires io.qcow4j;
    requires transitive org.jnrproject.jffi;

    exports io.qcow4j.nativeaccess to io.qcow4j.qcow2, io.qcow4j.vhd, io.qcow4j.vdi, io.qcow4j.vhdx, io.qcow4j.vmdk,
            io.qcow4j.parallels,
            io.qcow4j.convert, io.qcow4j.qcow2.write;
}
