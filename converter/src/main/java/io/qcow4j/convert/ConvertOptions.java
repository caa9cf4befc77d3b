package io.qcow4j.convert;

import java.util.Objects;

/**
 * How to convert an image to a raw file. Immutable; start from {@link #defaults()} and change what you need, then
 * {@link #validate()} (the {@link Converter} validates too):
 * <pre>{@code
 * ConvertOptions options = ConvertOptions.defaults().withWorkers(4).withProgress((done, total) -> show(done, total));
 * options.validate();
 * }</pre>
 *
 * @param workers           threads copying at once (qemu-img's {@code -m}), each with its own buffer
 * @param segmentSize       bytes handed to a worker at a time; a multiple of {@code bufferSize}
 * @param bufferSize        bytes read from the source at a time, per worker; a multiple of 512
 * @param sparseSize        zero detection granularity (qemu-img's {@code -S}): an aligned run of this many zero bytes
 *                          in the data read becomes a hole instead of being written. 0 turns detection off and, as
 *                          with qemu-img, fully allocates the target: ranges that read as zero are written as zeros
 * @param sync              force the target's data to disk before reporting success (off by default, as qemu-img
 *                          does not either)
 * @param overwriteExisting qemu-img's {@code -n}: write into an existing target instead of creating it. The target
 *                          must exist and be at least as large as the source; it keeps its size, and ranges that read
 *                          as zero in the source are made zero (holes punched). A failed conversion leaves it
 *                          incomplete ({@link TargetIncompleteException}) rather than deleting it. When false, the
 *                          target is created, replacing any regular file of that name, and deleted on failure
 * @param progress          hears progress from the worker threads; {@link ProgressListener#NONE} for none
 */
public record ConvertOptions(int workers, long segmentSize, int bufferSize, int sparseSize, boolean sync,
                             boolean overwriteExisting, ProgressListener progress) {

    /** The most workers accepted: each holds a thread and a buffer. */
    public static final int MAX_WORKERS = 64;
    /**
     * One worker per core, at least 2 (so that one reads while the other computes even on a single core), as
     * go-qcow2reader's convert. Decompression keeps each worker's core busy; more workers than cores only queue for
     * the target file's lock (every write to a Linux file takes it) and share the caches: on 2 cores, 8 workers were
     * 15 to 25 % slower than 2 on compressed and uncompressed images, source in the page cache or cold on disk; with
     * the target on disk too, the disk's write-back made the two trade places between sets of runs.
     */
    public static final int DEFAULT_WORKERS = Math.max(2, Math.min(MAX_WORKERS,
            Runtime.getRuntime().availableProcessors()));
    /** Large enough that handing out segments costs nothing, small enough that many workers share a small disk. */
    public static final long DEFAULT_SEGMENT_SIZE = 32L << 20;
    /** qemu-img's buffer size: large reads and writes without much memory (2 MiB per worker). */
    public static final int DEFAULT_BUFFER_SIZE = 2 << 20;
    /** qemu-img's default {@code -S}: the page and file system block size, the smallest hole worth making. */
    public static final int DEFAULT_SPARSE_SIZE = 4 << 10;

    /** The largest buffer accepted, so that workers times buffer size stays a modest amount of memory. */
    public static final int MAX_BUFFER_SIZE = 64 << 20;
    /** The largest zero detection granularity accepted, as qemu-img's {@code -S}. */
    public static final int MAX_SPARSE_SIZE = 16 << 20;

    private static final int SECTOR = 512;

    /**
     * Checks the components.
     *
     * @param workers as the record describes it
     * @param segmentSize as the record describes it
     * @param bufferSize as the record describes it
     * @param sparseSize as the record describes it
     * @param sync as the record describes it
     * @param overwriteExisting as the record describes it
     * @param progress as the record describes it
     */
    public ConvertOptions {
        Objects.requireNonNull(progress, "progress (use ProgressListener.NONE for none)");
    }

    /**
     * {@link #DEFAULT_WORKERS} workers, 32 MiB segments, 2 MiB buffers, 4 KiB zero detection, no sync, a new target,
     * no progress.
     *
     * @return the default options
     */
    public static ConvertOptions defaults() {
        return new ConvertOptions(DEFAULT_WORKERS, DEFAULT_SEGMENT_SIZE, DEFAULT_BUFFER_SIZE, DEFAULT_SPARSE_SIZE,
                false, false, ProgressListener.NONE);
    }

    /**
     * Checks the options against each other and their limits.
     *
     * @return these options
     * @throws IllegalArgumentException naming the option, its value and the rule it breaks
     */
    public ConvertOptions validate() {
        if (workers < 1 || workers > MAX_WORKERS) {
            throw new IllegalArgumentException("workers must be between 1 and " + MAX_WORKERS + ": " + workers);
        }
        if (bufferSize < SECTOR || bufferSize > MAX_BUFFER_SIZE || bufferSize % SECTOR != 0) {
            throw new IllegalArgumentException("bufferSize must be a multiple of 512 between 512 and "
                    + MAX_BUFFER_SIZE + ": " + bufferSize);
        }
        if (segmentSize < bufferSize || segmentSize % bufferSize != 0) {
            throw new IllegalArgumentException("segmentSize must be a positive multiple of bufferSize ("
                    + bufferSize + "): " + segmentSize);
        }
        if (sparseSize < 0 || sparseSize % SECTOR != 0 || sparseSize > MAX_SPARSE_SIZE) {
            throw new IllegalArgumentException("sparseSize must be 0 (no zero detection) or a multiple of 512 up to "
                    + MAX_SPARSE_SIZE + ": " + sparseSize);
        }
        if (sparseSize > bufferSize) {
            throw new IllegalArgumentException("sparseSize must not exceed bufferSize (" + bufferSize + "): "
                    + sparseSize);
        }
        return this;
    }

    /**
     * These options with another {@code workers} (see the record).
     *
     * @param newWorkers the new value
     * @return new options
     */
    public ConvertOptions withWorkers(int newWorkers) {
        return new ConvertOptions(newWorkers, segmentSize, bufferSize, sparseSize, sync, overwriteExisting, progress);
    }

    /**
     * These options with another {@code segmentSize} (see the record).
     *
     * @param newSegmentSize the new value
     * @return new options
     */
    public ConvertOptions withSegmentSize(long newSegmentSize) {
        return new ConvertOptions(workers, newSegmentSize, bufferSize, sparseSize, sync, overwriteExisting, progress);
    }

    /**
     * These options with another {@code bufferSize} (see the record).
     *
     * @param newBufferSize the new value
     * @return new options
     */
    public ConvertOptions withBufferSize(int newBufferSize) {
        return new ConvertOptions(workers, segmentSize, newBufferSize, sparseSize, sync, overwriteExisting, progress);
    }

    /**
     * These options with another {@code sparseSize} (see the record).
     *
     * @param newSparseSize the new value
     * @return new options
     */
    public ConvertOptions withSparseSize(int newSparseSize) {
        return new ConvertOptions(workers, segmentSize, bufferSize, newSparseSize, sync, overwriteExisting, progress);
    }

    /**
     * These options with another {@code sync} (see the record).
     *
     * @param newSync the new value
     * @return new options
     */
    public ConvertOptions withSync(boolean newSync) {
        return new ConvertOptions(workers, segmentSize, bufferSize, sparseSize, newSync, overwriteExisting, progress);
    }

    /**
     * These options with another {@code overwriteExisting} (see the record).
     *
     * @param newOverwriteExisting the new value
     * @return new options
     */
    public ConvertOptions withOverwriteExisting(boolean newOverwriteExisting) {
        return new ConvertOptions(workers, segmentSize, bufferSize, sparseSize, sync, newOverwriteExisting, progress);
    }

    /**
     * These options with another {@code progress} (see the record).
     *
     * @param newProgress the new value
     * @return new options
     */
    public ConvertOptions withProgress(ProgressListener newProgress) {
        return new ConvertOptions(workers, segmentSize, bufferSize, sparseSize, sync, overwriteExisting, newProgress);
    }
}
