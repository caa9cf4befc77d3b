package io.qcow4j.qcow2.write;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;

import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.OpenOptions;
import io.qcow4j.qcow2.write.Qcow2OptionsParser.Preallocation;

/**
 * Creates empty qcow2 images and copy-on-write overlays, as {@code qemu-img create -f qcow2} does:
 * <pre>{@code
 * Qcow2Writer.create(Path.of("disk.qcow2"), 20L << 30, Qcow2Options.defaults());
 * Qcow2Writer.create(Path.of("overlay.qcow2"), -1,
 *         Qcow2Options.builder().backingFile("disk.qcow2").backingFormat("qcow2").build());
 * }</pre>
 * The image has its header in cluster 0, its L1 table after it, and refcount blocks and a refcount table sized for
 * the whole file; {@code qemu-img check} finds neither errors nor leaks in it.
 */
public final class Qcow2Writer {

    private Qcow2Writer() {
    }

    /**
     * Creates an image, replacing any file of that name as qemu-img does. With a backing file, the backing file is
     * opened (its name resolved against the new image's directory unless absolute, as QEMU resolves it), which
     * checks that it exists and gives the size when none is given; its name is stored exactly as given.
     *
     * @param target the image to write
     * @param size the virtual size in bytes, or -1 for the backing file's; rounded up to a multiple of 512 as qemu-img
     *     rounds it
     * @param options the layout; a backing file needs its format, as qemu-img requires
     * @return the virtual size of the image written
     * @throws IOException when the backing file cannot be opened or the target cannot be written
     * @throws IllegalArgumentException when the options or size are invalid, or the target is the backing file, with
     *     qemu-img's reason
     */
    public static long create(Path target, long size, Qcow2Options options) throws IOException {
        return create(target, size, options, Preallocation.OFF, true);
    }

    /**
     * Creates an image as {@link #create(Path, long, Qcow2Options)} does, with every guest cluster mapped to a data
     * cluster of its own, as qemu-img's {@code -o preallocation=}: {@code metadata} writes the tables only (the data
     * clusters stay holes of the file), {@code falloc} also reserves their space, {@code full} writes them with zeros.
     * With a backing file it needs extended L2 entries, whose subclusters then read as the backing file, as in QEMU.
     *
     * @param target the image to write
     * @param size the virtual size in bytes, or -1 for the backing file's
     * @param options the layout
     * @param preallocation what to allocate up front
     * @return the virtual size of the image written
     * @throws IOException when the backing file cannot be opened or the target cannot be written
     * @throws IllegalArgumentException when the options or size are invalid, with qemu-img's reason
     */
    public static long create(Path target, long size, Qcow2Options options, Preallocation preallocation)
            throws IOException {
        return create(target, size, options, preallocation, true);
    }

    /**
     * Creates an image as {@link #create} does, without opening the backing file, as {@code qemu-img create -u}: the
     * backing file may not exist yet (or not on this host), so the size must be given.
     *
     * @param target the image to write
     * @param size the virtual size in bytes; rounded up to a multiple of 512 as qemu-img rounds it
     * @param options the layout; a backing file needs its format, as qemu-img requires
     * @return the virtual size of the image written
     * @throws IOException when the target cannot be written
     * @throws IllegalArgumentException when the options are invalid, the size is missing (negative), or the target is
     *     the backing file, with qemu-img's reason
     */
    public static long createUnchecked(Path target, long size, Qcow2Options options) throws IOException {
        return create(target, size, options, Preallocation.OFF, false);
    }

    /**
     * As {@link #createUnchecked(Path, long, Qcow2Options)}, preallocated as
     * {@link #create(Path, long, Qcow2Options, Preallocation)} preallocates.
     *
     * @param target the image to write
     * @param size the virtual size in bytes
     * @param options the layout
     * @param preallocation what to allocate up front
     * @return the virtual size of the image written
     * @throws IOException when the target cannot be written
     * @throws IllegalArgumentException when the options are invalid or the size missing, with qemu-img's reason
     */
    public static long createUnchecked(Path target, long size, Qcow2Options options, Preallocation preallocation)
            throws IOException {
        return create(target, size, options, preallocation, false);
    }

    private static long create(Path target, long size, Qcow2Options options, Preallocation preallocation,
                               boolean openBacking) throws IOException {
        Header.check(options);
        Objects.requireNonNull(preallocation, "preallocation");
        if (preallocation != Preallocation.OFF && options.backingFile().isPresent() && !options.extendedL2()) {
            throw new IllegalArgumentException("Backing file and preallocation can only be used at the same time if "
                    + "extended_l2 is on");
        }
        long virtualSize = size;
        if (options.backingFile().isPresent()) {
            if (options.backingFormat().isEmpty()) {
                throw new IllegalArgumentException("Backing file specified without backing format");
            }
            if (openBacking) {
                try (Image backing = openBacking(target, options)) {
                    if (virtualSize < 0) {
                        virtualSize = backing.size();
                    }
                }
            }
            Path backingPath = backingPath(target, options);
            if (Files.exists(target) && Files.exists(backingPath) && Files.isSameFile(target, backingPath)) {
                // replacing it would destroy the very data the new image refers to
                throw new IllegalArgumentException("Error: Trying to create an image with the same filename as the "
                        + "backing file");
            }
        }
        if (virtualSize < 0) {
            throw new IllegalArgumentException("Image creation needs a size parameter");
        }
        // QEMU keeps disks in whole sectors
        virtualSize = roundToSector(virtualSize);
        Geometry geometry = Geometry.of(options, virtualSize);
        try (FileChannel channel = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ImageBuilder builder = new ImageBuilder(channel, options, geometry);
            List<long[]> data = preallocation == Preallocation.OFF ? List.of() : builder.preallocate();
            builder.finish();
            if (preallocation == Preallocation.FALLOC) {
                DataAllocation.reserve(target, channel, data);
            } else if (preallocation == Preallocation.FULL) {
                DataAllocation.writeZeros(channel, data);
            }
        }
        return virtualSize;
    }

    static long roundToSector(long size) {
        if (size > Long.MAX_VALUE - 511) {
            throw new IllegalArgumentException("Image size too large");
        }
        return (size + 511) & ~511L;
    }

    /**
     * Opens the backing file an image with these options names, as QEMU would find it from {@code image}.
     *
     * @param image the new image
     * @param options its options, with a backing file
     * @return the backing image, opened with its recorded format
     * @throws IOException when it cannot be opened
     */
    static Image openBacking(Path image, Qcow2Options options) throws IOException {
        OpenOptions.Builder open = OpenOptions.builder();
        options.backingFormat().ifPresent(open::format);
        return Images.open(backingPath(image, options), open.build());
    }

    static Path backingPath(Path image, Qcow2Options options) {
        Path name = Path.of(options.backingFile().orElseThrow());
        Path parent = image.toAbsolutePath().getParent();
        return name.isAbsolute() || parent == null ? name : parent.resolve(name);
    }
}
