package io.qcow4j.vmdk;

import java.util.function.Supplier;

import io.qcow4j.nativeaccess.DeflateBackend;
import io.qcow4j.nativeaccess.Libdeflate;

/**
 * Makes the inflaters of compressed grains: libdeflate's zlib where it is selected ({@link DeflateBackend}: where it
 * loads, unless {@code -Dqcow4j.inflate=jdk}), else the JDK's.
 */
final class GrainInflaters {

    private GrainInflaters() {
    }

    /** A new inflater for the calling thread. */
    static Supplier<GrainInflater> supplier() {
        return () -> {
            Libdeflate libdeflate = DeflateBackend.libdeflate("VMDK grains");
            return libdeflate != null ? new LibdeflateGrainInflater(libdeflate) : new JdkGrainInflater();
        };
    }
}
