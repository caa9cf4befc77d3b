package io.qcow4j.qcow2.write;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.qcow4j.Image;
import io.qcow4j.convert.ConversionException;
import io.qcow4j.convert.ConvertOptions;
import io.qcow4j.convert.ConvertResult;
import io.qcow4j.convert.PartialFile;
import io.qcow4j.nativeaccess.Libdeflate;

/**
 * Converts any image qcow4j reads to a qcow2 file, as {@code qemu-img convert -O qcow2 [-c] [-B backing]} does:
 * <pre>{@code
 * try (Image source = Images.open(Path.of("disk.vmdk"))) {
 *     Qcow2Converter.convertCompressed(source, Path.of("disk.qcow2"), Qcow2Options.defaults(),
 *             ConvertOptions.defaults());
 * }
 * }</pre>
 * A cluster that reads as zeros is left unallocated; the others are written in guest order, as they are
 * ({@link #convert(Image, Path, Qcow2Options, ConvertOptions) convert}) or compressed ({@link #convertCompressed},
 * on {@link ConvertOptions#workers()} threads; several compressed clusters share a host cluster, and a cluster that
 * does not shrink is written as it is, as QEMU does). With a backing file in the options, only the clusters that
 * differ from it are written, and clusters that read as zeros over backing data are marked zero.
 *
 * <p>The image is written to a hidden file beside the target and renamed into place once complete: a conversion that
 * fails or is interrupted never leaves a complete-looking target, and the failure removes the hidden file.
 */
public final class Qcow2Converter {

    /** Chunks in flight per worker: enough to keep the workers busy while the writer catches up. */
    private static final int CHUNKS_PER_WORKER = 2;

    private Qcow2Converter() {
    }

    /**
     * Converts {@code source} to a new qcow2 image at {@code target}, replacing any file there once complete.
     *
     * @param source the image to convert; its virtual size is rounded up to whole sectors, as qemu-img rounds it
     * @param named the qcow2 file to write (or a symbolic link to it)
     * @param layout the new image's options; its backing file (opened relative to the target's directory, with its
     *     format) is what unchanged clusters are left to
     * @param options the worker count, buffer size, sync and progress listener of the conversion; its
     *     {@link ConvertOptions#bufferSize()} is how much each worker takes at a time
     * @return the virtual size, the bytes read from the source, the bytes written (data and metadata) and the guest
     *     bytes left unallocated or marked zero
     * @throws ConversionException when reading the source or writing the target fails; the target is left as it was
     * @throws IOException when the backing file cannot be opened or the target's directory cannot be written
     * @throws IllegalArgumentException when the options do not suit the source, with qemu-img's reason
     */
    public static ConvertResult convert(Image source, Path named, Qcow2Options layout, ConvertOptions options)
            throws IOException {
        return convert(source, named, layout, false, options);
    }

    /**
     * As {@link #convert(Image, Path, Qcow2Options, ConvertOptions)}, with the data clusters compressed, as
     * qemu-img's {@code -c}: with the layout's compression type (deflate, or zstd), on every worker; a cluster that
     * does not shrink is stored as it is.
     *
     * @param source the image to convert; its virtual size is rounded up to whole sectors, as qemu-img rounds it
     * @param named the qcow2 file to write (or a symbolic link to it)
     * @param layout the new image's options, its compression type among them
     * @param options the worker count, buffer size, sync and progress listener of the conversion
     * @return the virtual size, the bytes read from the source, the bytes written (data and metadata) and the guest
     *     bytes left unallocated or marked zero
     * @throws ConversionException when reading the source or writing the target fails; the target is left as it was
     * @throws IOException when the backing file cannot be opened or the target's directory cannot be written
     * @throws IllegalArgumentException when the options do not suit the source, with qemu-img's reason
     */
    public static ConvertResult convertCompressed(Image source, Path named, Qcow2Options layout,
                                                  ConvertOptions options) throws IOException {
        return convert(source, named, layout, true, options);
    }

    private static ConvertResult convert(Image source, Path named, Qcow2Options layout, boolean compress,
                                         ConvertOptions options) throws IOException {
        Header.check(layout);
        // through a symbolic link to the file it names, which is the one replaced
        Path target = Files.isSymbolicLink(named) && Files.exists(named) ? named.toRealPath() : named;
        if (Files.exists(target) && !Files.isRegularFile(target)) {
            throw new FileSystemException(named.toString(), null, Files.isDirectory(target) ? "the target is a "
                    + "directory" : "the target is not a regular file: qcow2 is written to files only");
        }
        if (layout.backingFile().isPresent() && layout.backingFormat().isEmpty()) {
            throw new IllegalArgumentException("Backing file specified without backing format");
        }
        long size = Qcow2Writer.roundToSector(source.size());
        Geometry geometry = Geometry.of(layout, size);
        refuseSource(source, target);
        if (layout.backingFile().isPresent() && Files.exists(target)
                && Files.isSameFile(target, Qcow2Writer.backingPath(target, layout))) {
            throw new FileSystemException(target.toString(), null, "the target is the new image's backing file");
        }
        Image backing = layout.backingFile().isPresent() ? Qcow2Writer.openBacking(target, layout) : null;
        try {
            Path partial = PartialFile.createBeside(target, target);
            ConvertResult result;
            try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE)) {
                result = new Run(source, backing, layout, geometry, compress, options, channel).call();
                if (options.sync()) {
                    channel.force(true);
                }
            } catch (IOException | RuntimeException | Error e) {
                try {
                    Files.deleteIfExists(partial);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return result;
        } finally {
            if (backing != null) {
                backing.close();
            }
        }
    }

    /** The source's files and its backing chain's are never replaced: the rename would swap them under a reader. */
    private static void refuseSource(Image source, Path target) throws IOException {
        if (!Files.exists(target)) {
            return;
        }
        for (Optional<Image> image = Optional.of(source); image.isPresent(); image = image.get().backing()) {
            for (Path file : image.get().files()) {
                if (Files.exists(file) && Files.isSameFile(file, target)) {
                    throw new FileSystemException(target.toString(), null, "the target is "
                            + (image.get() == source ? "the source image's" : "a backing image's") + " file " + file);
                }
            }
        }
    }

    /** The workers' threads: daemons named qcow2-convert-N. */
    private static final class Workers implements ThreadFactory {
        private final AtomicInteger threads = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "qcow2-convert-".concat(Integer.toString(threads.incrementAndGet())));
            thread.setDaemon(true);
            return thread;
        }
    }

    /** One conversion: workers read and compress chunks of clusters, this thread writes them in order. */
    private static final class Run {
        private final Image source;
        private final ImageBuilder builder;
        private final ChunkReader reader;
        private final DataRanges sourceRanges;
        private final DataRanges backingRanges;
        private final boolean compress;
        private final CompressionType compressionType;
        private final ConvertOptions options;
        private final int clusterSize;
        private final long clusters;
        private final int clustersPerChunk;
        private final Queue<ClusterCompressor> compressors = new ConcurrentLinkedQueue<>();
        private final ThreadLocal<ClusterCompressor> compressor = new ThreadLocal<>();
        private final Supplier<Libdeflate> libdeflate = ClusterCompressor.deflateBackend();

        Run(Image source, Image backing, Qcow2Options layout, Geometry geometry, boolean compress,
            ConvertOptions options, FileChannel channel) {
            this.source = source;
            this.builder = new ImageBuilder(channel, layout, geometry);
            this.clusterSize = geometry.clusterSize();
            this.reader = new ChunkReader(source, backing, clusterSize);
            this.sourceRanges = new DataRanges(source);
            this.backingRanges = backing == null ? null : new DataRanges(backing);
            this.compress = compress;
            this.compressionType = layout.compressionType();
            this.options = options;
            this.clusters = geometry.guestClusters();
            // no larger than the disk: a small conversion allocates (and the JVM zeros) no more than it needs
            this.clustersPerChunk = (int) Math.max(1, Math.min(clusters, options.bufferSize() / clusterSize));
        }

        ConvertResult call() throws IOException {
            ExecutorService pool = Executors.newFixedThreadPool(options.workers(), new Workers());
            long read = 0;
            long zero = 0;
            // the chunks' buffers, reused: a fresh array per chunk is a large allocation the collector handles badly
            int maxInFlight = (int) Math.max(1, Math.min(options.workers() * CHUNKS_PER_WORKER,
                    (clusters + clustersPerChunk - 1) / clustersPerChunk));
            BlockingQueue<ByteBuffer> buffers = new ArrayBlockingQueue<>(maxInFlight * 2);
            for (int i = 0; i < maxInFlight * (reader.comparesWithBacking() ? 2 : 1); i++) {
                buffers.add(ByteBuffer.allocateDirect(clustersPerChunk * clusterSize));
            }
            BlockingQueue<ByteBuffer> outs = new ArrayBlockingQueue<>(maxInFlight);
            for (int i = 0; compress && i < maxInFlight; i++) {
                outs.add(ByteBuffer.allocateDirect(ClusterCompressor.outputSize(clustersPerChunk, clusterSize)));
            }
            try {
                ArrayDeque<Future<ChunkReader.Chunk>> inFlight = new ArrayDeque<>();
                long next = 0;
                long done = 0;
                while (next < clusters || !inFlight.isEmpty()) {
                    while (next < clusters && inFlight.size() < maxInFlight) {
                        long first = next;
                        int count = (int) Math.min(clustersPerChunk, clusters - first);
                        ByteBuffer data = buffers.remove();
                        ByteBuffer base = reader.comparesWithBacking() ? buffers.remove() : null;
                        long start = first * clusterSize;
                        long end = start + (long) count * clusterSize;
                        List<long[]> dataRanges = sourceRanges.between(start, end);
                        List<long[]> baseRanges = base == null ? null : backingRanges.between(start, end);
                        ByteBuffer out = compress ? outs.remove() : null;
                        inFlight.add(pool.submit(new Task(first, count, data, dataRanges, base, baseRanges, out)));
                        next += count;
                    }
                    ChunkReader.Chunk chunk = await(inFlight.poll());
                    read += chunk.bytesRead();
                    zero += write(chunk);
                    buffers.add(chunk.data());
                    if (chunk.base() != null) {
                        buffers.add(chunk.base());
                    }
                    if (chunk.out() != null) {
                        outs.add(chunk.out());
                    }
                    done = Math.min(source.size(), (chunk.first() + chunk.kinds().length) * (long) clusterSize);
                    options.progress().progress(done, source.size());
                }
                builder.finish();
            } finally {
                pool.shutdownNow();
                // a worker may be inside libdeflate with its compressor: free none before every worker has stopped
                boolean interrupted = false;
                boolean stopped = false;
                while (!stopped) {
                    try {
                        stopped = pool.awaitTermination(1, TimeUnit.MINUTES);
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                for (ClusterCompressor each : compressors) {
                    each.close();
                }
            }
            return new ConvertResult(builder.geometry().virtualSize(), read, builder.bytesWritten(), zero);
        }

        /** One chunk for a worker. */
        private final class Task implements Callable<ChunkReader.Chunk> {
            private final long first;
            private final int count;
            private final ByteBuffer data;
            private final List<long[]> dataRanges;
            private final ByteBuffer base;
            private final List<long[]> baseRanges;
            private final ByteBuffer out;

            Task(long first, int count, ByteBuffer data, List<long[]> dataRanges, ByteBuffer base,
                 List<long[]> baseRanges, ByteBuffer out) {
                this.first = first;
                this.count = count;
                this.data = data;
                this.dataRanges = dataRanges;
                this.base = base;
                this.baseRanges = baseRanges;
                this.out = out;
            }

            @Override
            public ChunkReader.Chunk call() throws IOException {
                return reader.read(first, count, data, dataRanges, base, baseRanges, compressor(), out);
            }
        }

        private ClusterCompressor compressor() {
            if (!compress) {
                return null;
            }
            ClusterCompressor mine = compressor.get();
            if (mine == null) {
                mine = ClusterCompressor.of(compressionType, clusterSize, libdeflate);
                compressors.add(mine);
                compressor.set(mine);
            }
            return mine;
        }

        /** Writes a chunk's clusters, each run of data clusters at once; returns the guest bytes not written. */
        private long write(ChunkReader.Chunk chunk) throws IOException {
            long notWritten = 0;
            ChunkReader.Kind[] kinds = chunk.kinds();
            for (int i = 0; i < kinds.length; i++) {
                long cluster = chunk.first() + i;
                long guestBytes = Math.min(clusterSize, builder.geometry().virtualSize() - cluster * clusterSize);
                switch (kinds[i]) {
                    case UNALLOCATED -> notWritten += guestBytes;
                    case ZERO -> {
                        builder.zero(cluster);
                        notWritten += guestBytes;
                    }
                    case DATA -> {
                        int end = i + 1;
                        while (end < kinds.length && kinds[end] == ChunkReader.Kind.DATA) {
                            end++;
                        }
                        builder.data(cluster, chunk.data().slice(i * clusterSize, (end - i) * clusterSize));
                        i = end - 1;
                    }
                    default -> builder.compressed(cluster, chunk.compressed()[i]);
                }
            }
            return notWritten;
        }

        private ChunkReader.Chunk await(Future<ChunkReader.Chunk> future) throws IOException {
            try {
                return future.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConversionException("interrupted while converting to qcow2");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof ConversionException conversion) {
                    throw conversion;
                }
                if (cause instanceof IOException io) {
                    throw new ConversionException(io.getMessage(), io);
                }
                if (cause instanceof RuntimeException runtime) {
                    throw runtime;
                }
                if (cause instanceof Error error) {
                    throw error;
                }
                throw new ConversionException(String.valueOf(cause), cause);
            }
        }
    }

}
