package io.qcow4j.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import io.qcow4j.Image;
import io.qcow4j.ImageException;
import io.qcow4j.OpenOptions;

/**
 * A disk image format. Found through {@link java.util.ServiceLoader} (registered in
 * {@code META-INF/services/io.qcow4j.spi.ImageFormatProvider}, or with {@code provides} in a module), or handed to
 * {@link io.qcow4j.ImageFormats#of} by a host, so that a jar adds a format with no code change. Implementations must
 * have a public no-argument constructor to be found by {@code ServiceLoader}, and be safe to use from several threads.
 */
public interface ImageFormatProvider {

    /** The number of leading bytes {@link io.qcow4j.ImageFormats} hands to {@link #probe}. */
    int PROBE_LENGTH = 512;

    /**
     * The format's name as {@code qemu-img} spells it ({@code "qcow2"}, {@code "raw"}), used by {@link
     * OpenOptions#format()}.
     *
     * @return the format's name
     */
    String name();

    /**
     * Looks at the first bytes of a file and says whether they are this format.
     *
     * @return whether, and how strongly, the bytes are this format
     * @param start up to {@link #PROBE_LENGTH} bytes from the start of the file, between position and limit; shorter
     *              when the file is; the provider may consume it
     */
    ProbeResult probe(ByteBuffer start);

    /**
     * Looks at the last bytes of a file, for a format whose signature is at its end (a fixed VHD is the disk's bytes
     * and a 512-byte footer). {@link io.qcow4j.ImageFormats} asks only when no provider recognises the file's start;
     * {@link ProbeResult#RECOGNIZED} then wins over the raw fallback.
     *
     * @param end up to {@link #PROBE_LENGTH} bytes that end the file, between position and limit; the provider may
     *            consume it
     * @return how strongly the provider claims the file; {@link ProbeResult#NOT_RECOGNIZED} by default
     */
    default ProbeResult probeEnd(ByteBuffer end) {
        return ProbeResult.NOT_RECOGNIZED;
    }

    /**
     * Opens an image of this format read-only. Every other file the image names (a backing file, a data file, an
     * extent) is opened through {@code context}, never directly: the context applies the host's
     * {@link io.qcow4j.FilePolicy} and keeps the chain's depth, loops and memory within the options' limits, across
     * every format of the chain.
     *
     * @return the open image
     * @param path    the image file: a regular file or a block device
     * @param options the host's options; for a backing image, its declared format and no snapshot
     * @param context the chain being opened; valid for the duration of this call
     * @throws ImageException when the file is not a valid image of this format, uses a feature this provider does not
     *                        read, or breaks a limit
     * @throws IOException    when the file cannot be read
     */
    Image open(Path path, OpenOptions options, OpenContext context) throws IOException;
}
