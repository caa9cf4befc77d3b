package io.qcow4j.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

import io.qcow4j.Allocation;
import io.qcow4j.BlockStatus;
import io.qcow4j.Image;
import io.qcow4j.ImageInfo;

/**
 * A disk image held in memory, for tests of code that reads images: runs of data (bytes given, or a
 * {@link BytePattern}), zero runs and unallocated runs (read from a backing image when there is one, else zeros), with
 * the block status, the info and the argument checks of a real provider's image. It counts what it is asked, from any
 * number of threads, and runs {@link ReadHook}s before each read so that a test can hold reads or fail them.
 *
 * <p>Block status answers stop at the end of each run as the builder was given it, even where the next run has equal
 * status: a test can script the runs that {@link #map} merges.
 */
public final class MemoryImage implements Image {

    /** A read the image served: its guest offset, the bytes it returned and the thread that asked. */
    public record Read(long position, int length, Thread thread) {
    }

    private final String format;
    private final Path file;
    private final long size;
    private final Runs runs;
    private final Image backing;
    private final List<ReadHook> hooks;
    private final LongAdder readCalls = new LongAdder();
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder statusCalls = new LongAdder();
    private final Queue<Read> served = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private MemoryImage(Builder builder) {
        this.format = builder.format;
        this.file = builder.file;
        this.size = builder.size;
        this.backing = builder.backing;
        this.runs = new Runs(builder.runs.covering(builder.size), backing);
        this.hooks = List.copyOf(builder.hooks);
    }

    /**
     * An image of {@code size} bytes, all unallocated until the builder says otherwise.
     *
     * @param size the disk's size in bytes
     * @return a new builder
     */
    public static Builder builder(long size) {
        return new Builder(size);
    }

    /**
     * An image whose disk is {@code bytes}, all data.
     *
     * @param bytes the disk
     * @return the image
     */
    public static MemoryImage of(byte[] bytes) {
        Builder builder = builder(bytes.length);
        return bytes.length == 0 ? builder.build() : builder.data(0, bytes).build();
    }

    @Override
    public String format() {
        return format;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        readCalls.increment();
        if (position < 0) {
            throw new IllegalArgumentException("negative position: " + position);
        }
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        ensureOpen();
        if (position >= size) {
            return -1;
        }
        int n = (int) Math.min(dst.remaining(), size - position);
        for (ReadHook hook : hooks) {
            hook.beforeRead(position, n);
        }
        ByteBuffer part = dst.slice().limit(n);
        runs.fill(part, position);
        dst.position(dst.position() + n);
        bytesRead.add(n);
        served.add(new Read(position, n, Thread.currentThread()));
        return n;
    }

    @Override
    public BlockStatus blockStatus(long offset, long maxLength) throws IOException {
        statusCalls.increment();
        Objects.checkIndex(offset, size);
        if (maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be positive: " + maxLength);
        }
        ensureOpen();
        return runs.status(offset, maxLength);
    }

    @Override
    public ImageInfo info() throws IOException {
        ensureOpen();
        Path backingFile = backing == null ? null : backing.files().stream().findFirst().orElse(null);
        return new ImageInfo(format, file, size, 0, 0, false, backingFile == null ? null : backingFile.toString(),
                backingFile, backing == null ? null : backing.format(), List.of(), Map.of());
    }

    @Override
    public List<Path> files() {
        return file == null ? List.of() : List.of(file);
    }

    @Override
    public Optional<Image> backing() {
        return Optional.ofNullable(backing);
    }

    /** Closes the backing image too, once, as a real image closes its chain. */
    @Override
    public void close() throws IOException {
        if (closed.compareAndSet(false, true) && backing != null) {
            backing.close();
        }
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return whether the image is closed
     */
    public boolean isClosed() {
        return closed.get();
    }

    private void ensureOpen() throws ClosedChannelException {
        if (closed.get()) {
            throw new ClosedChannelException();
        }
    }

    /**
     * The whole disk as a read gives it, without running the hooks or counting: what a test expects to read.
     *
     * @return the disk's bytes
     * @throws IOException when the backing image cannot be read
     */
    public byte[] contents() throws IOException {
        byte[] bytes = new byte[Math.toIntExact(size)];
        runs.fill(ByteBuffer.wrap(bytes), 0);
        return bytes;
    }

    /**
     * Every call of {@link #read}, served, refused or failed.
     *
     * @return the count
     */
    public long readCalls() {
        return readCalls.sum();
    }

    /**
     * The bytes the served reads returned.
     *
     * @return the count
     */
    public long bytesRead() {
        return bytesRead.sum();
    }

    /**
     * The reads served, in the order they completed; a read a hook failed is not among them.
     *
     * @return the reads
     */
    public List<Read> reads() {
        return List.copyOf(served);
    }

    /**
     * The threads that the served reads came from.
     *
     * @return the threads
     */
    public Set<Thread> readingThreads() {
        return served.stream().map(Read::thread).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * Every call of {@link #blockStatus}, including those {@link #map} and {@link #forEachRun} make.
     *
     * @return the count
     */
    public long blockStatusCalls() {
        return statusCalls.sum();
    }

    /**
     * Builds a {@link MemoryImage}. A run given over earlier ones replaces them where they overlap; what no run covers
     * is unallocated.
     */
    public static final class Builder {

        private final long size;
        private final RunMap runs = new RunMap();
        private final List<ReadHook> hooks = new ArrayList<>();
        private String format = "memory";
        private Path file;
        private Image backing;
        private Run last;

        private Builder(long size) {
            if (size < 0) {
                throw new IllegalArgumentException("negative size: " + size);
            }
            this.size = size;
        }

        /**
         * The format's name that {@link #format()} and {@link #info()} report; {@code "memory"} unless set.
         *
         * @param name the format's name
         * @return this builder
         */
        public Builder format(String name) {
            this.format = Objects.requireNonNull(name);
            return this;
        }

        /**
         * The image file that {@link #info()} and {@link #files()} name; none unless set.
         *
         * @param path the image file
         * @return this builder
         */
        public Builder file(Path path) {
            this.file = Objects.requireNonNull(path);
            return this;
        }

        /**
         * {@code bytes} as data at {@code offset}.
         *
         * @param offset the guest offset
         * @param bytes the data
         * @return this builder
         */
        public Builder data(long offset, byte[] bytes) {
            return put(Run.data(offset, end(offset, bytes.length), new ArrayPattern(offset, bytes.clone())));
        }

        /**
         * {@code length} bytes of data at {@code offset}, as {@code pattern} gives them.
         *
         * @param offset the guest offset
         * @param length the run's length
         * @param pattern the bytes
         * @return this builder
         */
        public Builder data(long offset, long length, BytePattern pattern) {
            return put(Run.data(offset, end(offset, length), Objects.requireNonNull(pattern)));
        }

        /**
         * {@code length} bytes of {@link BytePattern#scrambled()} data at {@code offset}.
         *
         * @param offset the guest offset
         * @param length the run's length
         * @return this builder
         */
        public Builder data(long offset, long length) {
            return data(offset, length, BytePattern.scrambled());
        }

        /**
         * {@code length} bytes allocated as zeros at {@code offset}: they read as zeros, their status says so.
         *
         * @param offset the guest offset
         * @param length the run's length
         * @return this builder
         */
        public Builder zero(long offset, long length) {
            return put(Run.empty(offset, end(offset, length), Allocation.ZERO));
        }

        /**
         * {@code length} unallocated bytes at {@code offset}: they come from the backing image, or read as zeros.
         *
         * @param offset the guest offset
         * @param length the run's length
         * @return this builder
         */
        public Builder unallocated(long offset, long length) {
            return put(Run.empty(offset, end(offset, length), Allocation.UNALLOCATED));
        }

        /**
         * Says the data run just given is stored compressed, as block status reports it (with no host offset).
         *
         * @return this builder
         */
        public Builder compressed() {
            Run run = lastRun("compressed");
            if (run.allocation() != Allocation.DATA || run.hostOffset() >= 0) {
                throw new IllegalStateException("only a data run with no host offset can be compressed: " + run);
            }
            return replaceLast(run.asCompressed());
        }

        /**
         * Says the data or zero run just given is stored raw at {@code hostOffset} of its file, as block status reports
         * it (shifted for a query inside the run).
         *
         * @param hostOffset the offset in the file
         * @return this builder
         */
        public Builder storedAt(long hostOffset) {
            Run run = lastRun("stored at a host offset");
            if (hostOffset < 0 || run.allocation() == Allocation.UNALLOCATED || run.compressed()) {
                throw new IllegalStateException("only an uncompressed data or zero run can be stored at host offset "
                        + hostOffset + ": " + run);
            }
            return replaceLast(run.storedAt(hostOffset));
        }

        /**
         * The image that unallocated runs read from; closing the memory image closes it.
         *
         * @param image the backing image
         * @return this builder
         */
        public Builder backing(Image image) {
            this.backing = Objects.requireNonNull(image);
            return this;
        }

        /**
         * Runs {@code hook} before each read inside the disk, after the hooks given before it.
         *
         * @param hook the hook
         * @return this builder
         */
        public Builder onRead(ReadHook hook) {
            hooks.add(Objects.requireNonNull(hook));
            return this;
        }

        /**
         * Fails every read that touches {@code [offset, offset + length)} with an IOException of {@code message}.
         *
         * @param offset the range's first guest offset
         * @param length the range's length
         * @param message the exception's message
         * @return this builder
         */
        public Builder failReads(long offset, long length, String message) {
            end(offset, length);
            return onRead(ReadHook.failing(offset, length, message));
        }

        /**
         * The image, as built so far.
         *
         * @return the image
         */
        public MemoryImage build() {
            return new MemoryImage(this);
        }

        private long end(long offset, long length) {
            if (offset < 0 || length < 1 || offset > size - length) {
                throw new IllegalArgumentException("run of " + length + " bytes at " + offset + " is not inside the "
                        + size + "-byte disk");
            }
            return offset + length;
        }

        private Builder put(Run run) {
            runs.put(run);
            last = run;
            return this;
        }

        private Run lastRun(String what) {
            if (last == null) {
                throw new IllegalStateException("no run given yet to be " + what);
            }
            return last;
        }

        private Builder replaceLast(Run run) {
            runs.replace(run);
            last = run;
            return this;
        }
    }
}
