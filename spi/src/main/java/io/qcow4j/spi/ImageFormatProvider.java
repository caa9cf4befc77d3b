package io.qcow4j.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A disk image format, found through {@link java.util.ServiceLoader}.
 *
 * <p>Implementations are registered in {@code META-INF/services/io.qcow4j.spi.ImageFormatProvider}, so that a jar
 * dropped on the class path adds a format with no code change. They must have a public no-argument constructor and
 * be safe to use from several threads.
 */
public interface ImageFormatProvider {

    /** The number of leading bytes {@link Images} hands to {@link #probe}. */
    int PROBE_LENGTH = 512;

    /** The format's name as {@code qemu-img} spells it ({@code "qcow2"}, {@code "raw"}), used by {@link OpenOptions#format()}. */
    String name();

    /**
     * Looks at the first bytes of a file and says whether they are this format.
     *
     * @param start up to {@link #PROBE_LENGTH} bytes from the start of the file, between position and limit; shorter
     *              when the file is; the provider may consume it
     */
    ProbeResult probe(ByteBuffer start);

    /**
     * Opens an image of this format read-only.
     *
     * @throws ImageException when the file is not a valid image of this format, uses a feature this provider does not
     *                        read, or breaks a limit
     * @throws IOException    when the file cannot be read
     */
    Image open(Path path, OpenOptions options) throws IOException;
}
