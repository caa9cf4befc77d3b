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

    /** New inflaters, one for each thread, of the kind chosen now (as an image opens). */
    static Supplier<GrainInflater> supplier() {
        Supplier<Libdeflate> chosen = DeflateBackend.libdeflate("VMDK grains");
        return () -> {
            Libdeflate libdeflate = chosen.get();
            return libdeflate != null ? new LibdeflateGrainInflater(libdeflate) : new JdkGrainInflater();
        };
    }
}
