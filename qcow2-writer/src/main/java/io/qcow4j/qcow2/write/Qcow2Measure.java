package io.qcow4j.qcow2.write;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

import io.qcow4j.Allocation;
import io.qcow4j.BlockStatus;
import io.qcow4j.Image;
import io.qcow4j.ImageLimitException;
import io.qcow4j.qcow2.write.Qcow2OptionsParser.Preallocation;

/**
 * The sizes of a new image, as {@code qemu-img measure} computes them (QEMU's {@code qcow2_measure}): for a disk of a
 * given size, or for a copy of a source image. The numbers are qemu-img's, byte for byte, so that a caller sizing a
 * volume for {@code qemu-img convert} (or qcow4j's) gets the same answer from either:
 * <pre>{@code
 * try (Image source = Images.open(Path.of("disk.vmdk"))) {
 *     Measurement m = Qcow2Measure.of(source, Qcow2Options.defaults());
 *     System.out.println(m.required() + " " + m.fullyAllocated());
 * }
 * }</pre>
 *
 * <p>A qcow2 image's fully allocated size is its metadata (a header cluster, L2 tables for every cluster of the disk,
 * an L1 table, and refcount blocks and table counting every cluster including their own) plus the disk rounded up to
 * whole clusters. Its required size swaps the disk for the clusters of the source that hold data: every cluster with
 * a byte the source's block status calls data (not zero, not unallocated in the whole backing chain), counted whole.
 * The metadata stays that of the fully allocated image, so required overestimates, as qemu-img's does.
 */
public final class Qcow2Measure {

    /** QEMU's QCOW_MAX_L1_SIZE: the largest L1 table it creates or opens. */
    private static final long MAX_L1_BYTES = 32L << 20;
    private static final int L1_ENTRY = 8;
    private static final int REFTABLE_ENTRY = 8;
    /** QEMU sizes a raw image in whole sectors. */
    private static final long SECTOR = 512;
    /** A bitmap directory entry's fixed part (Qcow2BitmapDirEntry). */
    private static final int BITMAP_ENTRY_FIXED = 24;
    private static final int BITMAP_TABLE_ENTRY = 8;

    private Qcow2Measure() {
    }

    /**
     * The sizes of a new qcow2 image of {@code size} bytes: {@code qemu-img measure -O qcow2 --size}.
     *
     * @param size    the disk's size in bytes
     * @param options the new image's layout
     * @return its sizes; no bitmaps
     * @throws IllegalArgumentException when the size is negative, or too large for the cluster size (the L1 table
     *                                  would pass QEMU's 32 MiB), with qemu-img's message
     */
    public static Measurement ofSize(long size, Qcow2Options options) {
        return ofSize(size, options, Preallocation.OFF);
    }

    /**
     * The sizes of a new qcow2 image of {@code size} bytes, preallocated so: {@code qemu-img measure -O qcow2 -o
     * preallocation=... --size}. With {@link Preallocation#FALLOC} or {@link Preallocation#FULL} every cluster is
     * required.
     *
     * @param size          the disk's size in bytes
     * @param options       the new image's layout
     * @param preallocation how much the image allocates when created
     * @return its sizes; no bitmaps
     * @throws IllegalArgumentException when the size is negative, or too large for the cluster size (the L1 table
     *                                  would pass QEMU's 32 MiB), with qemu-img's message
     */
    public static Measurement ofSize(long size, Qcow2Options options, Preallocation preallocation) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(preallocation, "preallocation");
        if (size < 0) {
            throw new IllegalArgumentException("Image size must be less than 8 EiB!");
        }
        checkL1(size, options);
        long virtualSize = roundUp(size, options.clusterSize());
        return measurement(virtualSize, 0, options, preallocation, OptionalLong.empty());
    }

    /**
     * The sizes of a qcow2 copy of {@code source}: {@code qemu-img measure -O qcow2 SRC}.
     *
     * @param source  the image to copy, as opened (its backing chain is part of its content)
     * @param options the new image's layout; with a backing file every cluster counts as required, since the new
     *                image's backing file may share nothing with the source
     * @return its sizes; bitmaps when the source is a qcow2 image of compat 1.1 and {@code options} are too
     * @throws IOException when the source's block status or metadata cannot be read, or its size is too large to
     *                     measure
     */
    public static Measurement of(Image source, Qcow2Options options) throws IOException {
        return of(source, options, Preallocation.OFF);
    }

    /**
     * The sizes of a qcow2 copy of {@code source}, preallocated so: {@code qemu-img measure -O qcow2 -o
     * preallocation=... SRC}.
     *
     * @param source        the image to copy, as opened (its backing chain is part of its content)
     * @param options       the new image's layout; with a backing file every cluster counts as required, since the
     *                      new image's backing file may share nothing with the source
     * @param preallocation how much the image allocates when created
     * @return its sizes; bitmaps when the source is a qcow2 image of compat 1.1 and {@code options} are too
     * @throws IOException when the source's block status or metadata cannot be read, or its size is too large to
     *                     measure
     */
    public static Measurement of(Image source, Qcow2Options options, Preallocation preallocation)
            throws IOException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(preallocation, "preallocation");
        int clusterSize = options.clusterSize();
        long size = source.size();
        try {
            long virtualSize = roundUp(size, clusterSize);
            long data = options.backingFile().isPresent() ? virtualSize : dataClusterBytes(source, clusterSize);
            OptionalLong bitmaps = options.compat() == Qcow2Options.Compat.V1_1 ? bitmapBytes(source, clusterSize)
                    : OptionalLong.empty();
            return measurement(virtualSize, data, options, preallocation, bitmaps);
        } catch (ArithmeticException e) {
            throw new ImageLimitException("a disk of " + size + " bytes is too large to measure", e);
        }
    }

    /**
     * The size of a new raw image of {@code size} bytes: {@code qemu-img measure -O raw --size}, the size rounded up
     * to whole 512-byte sectors, required and fully allocated alike.
     *
     * @param size the disk's size in bytes
     * @return its sizes
     * @throws IllegalArgumentException when the size is negative
     */
    public static Measurement rawOfSize(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("Image size must be less than 8 EiB!");
        }
        long bytes = roundUp(size, SECTOR);
        return new Measurement(bytes, bytes, OptionalLong.empty());
    }

    /**
     * The size of a raw copy of {@code source}: {@code qemu-img measure -O raw SRC}, the source's disk size,
     * required and fully allocated alike (a raw file's holes are part of its size).
     *
     * @param source the image to copy
     * @return its sizes
     */
    public static Measurement raw(Image source) {
        long size = source.size();
        return new Measurement(size, size, OptionalLong.empty());
    }

    private static Measurement measurement(long virtualSize, long data, Qcow2Options options,
                                           Preallocation preallocation, OptionalLong bitmaps) {
        long fullyAllocated = fullyAllocatedSize(virtualSize, options.clusterSize(),
                Integer.numberOfTrailingZeros(options.refcountBits()), options.extendedL2());
        long required = preallocation.allocatesData() ? virtualSize : data;
        return new Measurement(fullyAllocated - virtualSize + required, fullyAllocated, bitmaps);
    }

    /** QEMU refuses a disk whose L1 table would pass 32 MiB (checked on the size asked for, not on a source's). */
    private static void checkL1(long size, Qcow2Options options) {
        long clusterSize = options.clusterSize();
        long clusters = size / clusterSize + (size % clusterSize == 0 ? 0 : 1);
        long l2Entries = clusterSize / (options.extendedL2() ? 16 : 8);
        long l2Tables = clusters / l2Entries + (clusters % l2Entries == 0 ? 0 : 1);
        if (l2Tables > MAX_L1_BYTES / L1_ENTRY) {
            throw new IllegalArgumentException("The image size is too large (try using a larger cluster size)");
        }
    }

    /**
     * QEMU's qcow2_calc_prealloc_size: the header cluster, L2 tables for every cluster (whole tables), an L1 table
     * of whole clusters, refcount structures for all of it, and the data.
     */
    static long fullyAllocatedSize(long virtualSize, int clusterSize, int refcountOrder, boolean extendedL2) {
        long l2EntrySize = extendedL2 ? 16 : 8;
        long meta = clusterSize;
        long l2Entries = roundUp(virtualSize / clusterSize, clusterSize / l2EntrySize);
        meta = Math.addExact(meta, Math.multiplyExact(l2Entries, l2EntrySize));
        long l1Entries = roundUp(l2Entries * l2EntrySize / clusterSize, clusterSize / L1_ENTRY);
        meta = Math.addExact(meta, l1Entries * L1_ENTRY);
        meta = Math.addExact(meta, refcountMetadataSize(Math.addExact(meta, virtualSize) / clusterSize, clusterSize,
                refcountOrder));
        return Math.addExact(meta, virtualSize);
    }

    /**
     * QEMU's qcow2_refcount_metadata_size: the refcount blocks and table clusters that count {@code clusters}
     * clusters and themselves, found as the fixed point where counting them needs no further cluster.
     */
    static long refcountMetadataSize(long clusters, int clusterSize, int refcountOrder) {
        long blocksPerTableCluster = clusterSize / REFTABLE_ENTRY;
        long refcountsPerBlock = (long) clusterSize * 8 / (1L << refcountOrder);
        long table = 0;
        long blocks = 0;
        long last;
        long n = 0;
        do {
            last = n;
            blocks = divRoundUp(clusters + table + blocks, refcountsPerBlock);
            table = divRoundUp(blocks, blocksPerTableCluster);
            n = clusters + blocks + table;
        } while (n != last);
        return Math.multiplyExact(blocks + table, (long) clusterSize);
    }

    /**
     * The bytes of every cluster holding a byte of data, as QEMU's walk of bdrv_block_status_above counts them: a
     * data run counts from the start of its first cluster to the end of its last, and the walk goes on from there.
     */
    private static long dataClusterBytes(Image source, int clusterSize) throws IOException {
        long size = source.size();
        long required = 0;
        long offset = 0;
        while (offset < size) {
            BlockStatus status = source.blockStatus(offset, size - offset);
            long length = status.length();
            if (status.allocation() == Allocation.DATA) {
                long end = roundUp(offset + length, clusterSize);
                required += end - (offset - offset % clusterSize);
                offset = end;
            } else {
                offset += length;
            }
        }
        return required;
    }

    /**
     * QEMU's qcow2_get_persistent_dirty_bitmap_size for a qcow2 source of compat 1.1 (the only kind whose bitmaps
     * QEMU copies): each bitmap's data clusters as if all were allocated, its table in whole clusters, and the
     * directory in whole clusters. Empty for any other source.
     */
    private static OptionalLong bitmapBytes(Image source, int clusterSize) throws IOException {
        if (!"qcow2".equals(source.format())) {
            return OptionalLong.empty();
        }
        Map<String, Object> specific = source.info().formatSpecific();
        if (!"1.1".equals(specific.get("compat"))) {
            return OptionalLong.empty();
        }
        long bytes = 0;
        long directory = 0;
        if (specific.get("bitmaps") instanceof List<?> bitmaps) {
            for (Object bitmap : bitmaps) {
                Map<?, ?> fields = (Map<?, ?>) bitmap;
                String name = (String) fields.get("name");
                long granularity = ((Number) fields.get("granularity")).longValue();
                long bits = divRoundUp(source.size(), granularity);
                long clusters = divRoundUp(divRoundUp(bits, 8), clusterSize);
                bytes += clusters * clusterSize;
                bytes += roundUp(clusters * BITMAP_TABLE_ENTRY, clusterSize);
                directory += roundUp(BITMAP_ENTRY_FIXED + name.getBytes(StandardCharsets.UTF_8).length, 8);
            }
        }
        return OptionalLong.of(bytes + roundUp(directory, clusterSize));
    }

    private static long divRoundUp(long n, long d) {
        return n / d + (n % d == 0 ? 0 : 1);
    }

    private static long roundUp(long n, long multiple) {
        return Math.multiplyExact(divRoundUp(n, multiple), multiple);
    }
}
