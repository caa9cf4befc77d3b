package io.qcow4j;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens images through the providers of {@link ImageFormats#defaults()}:
 * <pre>{@code
 * try (Image image = Images.open(Path.of("disk.qcow2"))) {
 *     ByteBuffer sector = ByteBuffer.allocate(512);
 *     image.readFully(sector, 0);
 * }
 * }</pre>
 */
public final class Images {

    private Images() {
    }

    /**
     * Opens {@code path} with {@link OpenOptions#defaults()}: the format is probed, backing files followed.
     *
     * @param path the image file
     * @return the open image
     * @throws IOException as {@link ImageFormats#open(Path, OpenOptions)} throws
     */
    public static Image open(Path path) throws IOException {
        return ImageFormats.defaults().open(path);
    }

    /**
     * {@link ImageFormats#open(Path, OpenOptions)} on {@link ImageFormats#defaults()}.
     *
     * @param path the image file
     * @param options the format, snapshot, backing files, policy and limits
     * @return the open image
     * @throws IOException as {@link ImageFormats#open(Path, OpenOptions)} throws
     */
    public static Image open(Path path, OpenOptions options) throws IOException {
        return ImageFormats.defaults().open(path, options);
    }
}
