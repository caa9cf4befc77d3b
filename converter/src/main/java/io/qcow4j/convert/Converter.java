package io.qcow4j.convert;

import java.io.IOException;
import java.nio.file.Path;

import io.qcow4j.Image;

/**
 * Converts any {@link Image} to a sparse raw file, as {@code qemu-img convert -O raw} does, with several workers
 * copying at once.
 *
 * <p>Ranges the source's block status reports as zero or unallocated are never read; data is read a buffer at a
 * time and scanned for runs of zeros ({@link ConvertOptions#sparseSize()}); only the non-zero runs are written. A new
 * target is created at the source's virtual size, so everything not written is a hole. An existing target
 * ({@link ConvertOptions#overwriteExisting()}, or a block device) gets holes punched, or zeros written, where the
 * source reads as zero.
 *
 * <pre>{@code
 * try (Image image = Images.open(Path.of("disk.qcow2"))) {
 *     Converter.convert(image, Path.of("disk.raw"), ConvertOptions.defaults());
 * }
 * }</pre>
 *
 * <p>A conversion that fails or is cancelled deletes a new target, so no file that looks complete is left behind; an
 * existing target is reported with {@link TargetIncompleteException}. The source image stays open: closing it is the
 * caller's job, after the conversion has ended.
 */
public final class Converter {

    private Converter() {
    }

    /**
     * Converts {@code source} into the raw file {@code target} and waits for the end. Interrupting the calling thread
     * cancels the conversion: the call then waits for the workers to stop, cleans up, and throws
     * {@link ConversionCancelledException} with the thread's interrupt status set again.
     *
     * @param source the image to read
     * @param target the raw file to write
     * @param options how to convert
     * @return what was written
     * @throws ConversionException      when the conversion fails or is cancelled; the message names the cause
     * @throws IOException              when the target cannot be created or opened (nothing was written then)
     */
    public static ConvertResult convert(Image source, Path target, ConvertOptions options) throws IOException {
        return start(source, target, options).await();
    }

    /**
     * Starts converting {@code source} into {@code target} on the workers' threads and returns at once, with a handle
     * to cancel or wait for the conversion. The target has been created (or opened) when this returns.
     *
     * @param source the image to read
     * @param target the raw file to write
     * @param options how to convert
     * @return the running conversion
     * @throws IOException              when the target cannot be created or opened, is the source itself, or (for an
     *                                  existing target) is smaller than the source
     */
    public static Conversion start(Image source, Path target, ConvertOptions options) throws IOException {
        TargetFile out = TargetFile.open(source, target, options);
        return Conversion.start(source, out, options);
    }
}
