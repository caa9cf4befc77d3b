package io.qcow4j.vmdk;

import java.util.function.Supplier;

/**
 * Makes the inflaters of compressed grains: the JDK's zlib. This is where a faster inflater (libdeflate's zlib
 * decompression, from the shared native module) plugs in, behind {@link GrainInflater}.
 */
final class GrainInflaters {

    private GrainInflaters() {
    }

    /** A new inflater for the calling thread. */
    static Supplier<GrainInflater> supplier() {
        return JdkGrainInflater::new;
    }
}
