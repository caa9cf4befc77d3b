package io.qcow4j.convert;

import java.util.Objects;

/**
 * How to convert an image to a raw file. Immutable; made by a {@link Builder}, which checks the options against each
 * other and their limits:
 * <pre>{@code
 * ConvertOptions options = ConvertOptions.builder().workers(4).progress((done, total) -> show(done, total)).build();
 * }</pre>
 */
public final class ConvertOptions {

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

    private static final ConvertOptions DEFAULTS = builder().build();

    private final int workers;
    private final long segmentSize;
    private final int bufferSize;
    private final int sparseSize;
    private final boolean sync;
    private final boolean overwriteExisting;
    private final ProgressListener progress;

    private ConvertOptions(Builder builder) {
        this.workers = builder.workers;
        this.segmentSize = builder.segmentSize;
        this.bufferSize = builder.bufferSize;
        this.sparseSize = builder.sparseSize;
        this.sync = builder.sync;
        this.overwriteExisting = builder.overwriteExisting;
        this.progress = builder.progress;
    }

    /**
     * {@link #DEFAULT_WORKERS} workers, 32 MiB segments, 2 MiB buffers, 4 KiB zero detection, no sync, a new target,
     * no progress.
     *
     * @return the default options
     */
    public static ConvertOptions defaults() {
        return DEFAULTS;
    }

    /**
     * A builder starting from {@link #defaults()}.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding these options, to change some of them.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Threads copying at once (qemu-img's {@code -m}), each with its own buffer.
     *
     * @return the number of workers
     */
    public int workers() {
        return workers;
    }

    /**
     * Bytes handed to a worker at a time; a multiple of {@link #bufferSize()}.
     *
     * @return the segment size in bytes
     */
    public long segmentSize() {
        return segmentSize;
    }

    /**
     * Bytes read from the source at a time, per worker; a multiple of 512.
     *
     * @return the buffer size in bytes
     */
    public int bufferSize() {
        return bufferSize;
    }

    /**
     * Zero detection granularity (qemu-img's {@code -S}): an aligned run of this many zero bytes in the data read
     * becomes a hole instead of being written. 0 turns detection off and, as with qemu-img, fully allocates the
     * target: ranges that read as zero are written as zeros.
     *
     * @return the zero detection granularity in bytes, or 0
     */
    public int sparseSize() {
        return sparseSize;
    }

    /**
     * Whether the target's data is forced to disk before success is reported (off, as in qemu-img).
     *
     * @return whether to sync
     */
    public boolean sync() {
        return sync;
    }

    /**
     * qemu-img's {@code -n}: write into an existing target instead of creating it. The target must exist and be at
     * least as large as the source; it keeps its size, and ranges that read as zero in the source are made zero
     * (holes punched). A failed conversion leaves it incomplete ({@link TargetIncompleteException}) rather than
     * deleting it. When false, the target is created under a temporary name and renamed once complete.
     *
     * @return whether an existing target is written in place
     */
    public boolean overwriteExisting() {
        return overwriteExisting;
    }

    /**
     * Hears progress from the worker threads; {@link ProgressListener#NONE} for none.
     *
     * @return the progress listener
     */
    public ProgressListener progress() {
        return progress;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ConvertOptions o && workers == o.workers && segmentSize == o.segmentSize
                && bufferSize == o.bufferSize && sparseSize == o.sparseSize && sync == o.sync
                && overwriteExisting == o.overwriteExisting && progress.equals(o.progress);
    }

    @Override
    public int hashCode() {
        return Objects.hash(workers, segmentSize, bufferSize, sparseSize, sync, overwriteExisting, progress);
    }

    @Override
    public String toString() {
        return "ConvertOptions[workers=" + workers + ", segmentSize=" + segmentSize + ", bufferSize=" + bufferSize
                + ", sparseSize=" + sparseSize + ", sync=" + sync + ", overwriteExisting=" + overwriteExisting + "]";
    }

    /** Builds {@link ConvertOptions}; starts from {@link #defaults()}. Not thread-safe. */
    public static final class Builder {
        private int workers = DEFAULT_WORKERS;
        private long segmentSize = DEFAULT_SEGMENT_SIZE;
        private int bufferSize = DEFAULT_BUFFER_SIZE;
        private int sparseSize = DEFAULT_SPARSE_SIZE;
        private boolean sync;
        private boolean overwriteExisting;
        private ProgressListener progress = ProgressListener.NONE;

        private Builder() {
        }

        private Builder(ConvertOptions options) {
            workers = options.workers;
            segmentSize = options.segmentSize;
            bufferSize = options.bufferSize;
            sparseSize = options.sparseSize;
            sync = options.sync;
            overwriteExisting = options.overwriteExisting;
            progress = options.progress;
        }

        /**
         * Sets {@link ConvertOptions#workers()}: 1 to {@link #MAX_WORKERS}.
         *
         * @param workers the value
         * @return this builder
         */
        public Builder workers(int workers) {
            this.workers = workers;
            return this;
        }

        /**
         * Sets {@link ConvertOptions#segmentSize()}.
         *
         * @param segmentSize the value
         * @return this builder
         */
        public Builder segmentSize(long segmentSize) {
            this.segmentSize = segmentSize;
            return this;
        }

        /**
         * Sets {@link ConvertOptions#bufferSize()}: a multiple of 512 up to {@link #MAX_BUFFER_SIZE}.
         *
         * @param bufferSize the value
         * @return this builder
         */
        public Builder bufferSize(int bufferSize) {
            this.bufferSize = bufferSize;
            return this;
        }

        /**
         * Sets {@link ConvertOptions#sparseSize()}: 0, or a multiple of 512 up to the buffer size.
         *
         * @param sparseSize the value
         * @return this builder
         */
        public Builder sparseSize(int sparseSize) {
            this.sparseSize = sparseSize;
            return this;
        }

        /**
         * Sets {@link ConvertOptions#sync()}.
         *
         * @param sync the value
         * @return this builder
         */
        public Builder sync(boolean sync) {
            this.sync = sync;
            return this;
        }

        /**
         * Sets {@link ConvertOptions#overwriteExisting()}.
         *
         * @param overwriteExisting the value
         * @return this builder
         */
        public Builder overwriteExisting(boolean overwriteExisting) {
            this.overwriteExisting = overwriteExisting;
            return this;
        }

        /**
         * Sets {@link ConvertOptions#progress()}.
         *
         * @param progress the value
         * @return this builder
         */
        public Builder progress(ProgressListener progress) {
            this.progress = Objects.requireNonNull(progress, "progress (use ProgressListener.NONE for none)");
            return this;
        }

        /**
         * The options, checked against each other and their limits.
         *
         * @return the options
         * @throws IllegalArgumentException naming the option, its value and the rule it breaks
         */
        public ConvertOptions build() {
            check();
            return new ConvertOptions(this);
        }

        private void check() {
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
                throw new IllegalArgumentException("sparseSize must be 0 (no zero detection) or a multiple of 512"
                        + " up to " + MAX_SPARSE_SIZE + ": " + sparseSize);
            }
            if (sparseSize > bufferSize) {
                throw new IllegalArgumentException("sparseSize must not exceed bufferSize (" + bufferSize + "): "
                        + sparseSize);
            }
        }
    }
}
