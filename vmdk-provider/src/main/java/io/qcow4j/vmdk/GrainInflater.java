package io.qcow4j.vmdk;

import java.nio.ByteBuffer;

import io.qcow4j.CorruptImageException;

/**
 * Inflates one compressed grain: a zlib stream (RFC 1950), as VMware and QEMU write them. An instance keeps codec
 * state and is used by one thread at a time; each thread has its own, so grains inflate in parallel.
 */
interface GrainInflater {

    /**
     * Inflates the zlib stream in {@code src} (position to limit; bytes may follow the stream) into {@code dst}, from
     * its position; the stream must end, checksum included, within {@code dst.remaining()} bytes.
     *
     * @return the bytes written to {@code dst}
     * @throws CorruptImageException when the stream is invalid, ends early, or inflates to more than {@code dst}
     *                               holds; the message says which
     */
    int inflate(ByteBuffer src, ByteBuffer dst) throws CorruptImageException;
}
