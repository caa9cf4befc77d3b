package io.qcow4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.convert.Conversion;
import io.qcow4j.convert.ConversionException;
import io.qcow4j.convert.ConvertOptions;
import io.qcow4j.convert.Converter;
import io.qcow4j.qcow2.write.Qcow2Converter;
import io.qcow4j.qcow2.write.Qcow2Options;

@Command(name = "convert", sortOptions = false, mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Convert an image to a sparse raw file, as qemu-img convert -O raw does, or to a qcow2 image"
                + " (-O qcow2, compressed with -c), with several workers at once. Ranges that read as zeros become"
                + " holes or unallocated clusters; only data is written."},
        footer = {"", "Examples:",
                "  qcow2 convert disk.qcow2 disk.raw",
                "  qcow2 convert -p -m 16 disk.qcow2 /dev/vdb   # a device: zeros are written",
                "  qcow2 convert -n disk.qcow2 old.raw          # reuse a file; zeros become holes",
                "  qcow2 convert --safe -f qcow2 upload.qcow2 upload.raw",
                "  qcow2 convert -c -O qcow2 disk.vmdk disk.qcow2          # compressed on every core",
                "  qcow2 convert -O qcow2 -B base.qcow2 -F qcow2 new.raw delta.qcow2"})
final class ConvertCommand extends ImageCommand {

    @Mixin
    private FormatOption format;

    @Option(names = "-O", paramLabel = "raw|qcow2", defaultValue = "raw",
            description = "The target format: raw (default) or qcow2.")
    private String targetFormat;

    @Option(names = "-c", description = "qcow2: compress the data clusters (deflate, or zstd with -o"
            + " compression_type=zstd) on all workers, as qemu-img's -c.")
    private boolean compress;

    @Mixin
    private Qcow2LayoutOptions layout;

    @Option(names = "-B", paramLabel = "BACKING", description = "qcow2: the new image's backing file, stored as"
            + " given (relative to the target's directory); only clusters that differ from it are written.")
    private String backingFile;

    @Option(names = "-F", paramLabel = "FMT", description = "qcow2: the format of the -B backing file (required"
            + " with -B).")
    private String backingFormat;

    @Option(names = {"-m", "--workers"}, paramLabel = "N",
            // no ${DEFAULT-VALUE}: the man pages are generated on the build machine, whose core count is not the user's
            description = "Threads copying at once, as qemu-img's -m (default: one per core, at least 2).")
    private int workers = ConvertOptions.DEFAULT_WORKERS;

    @Option(names = "--segment-size", paramLabel = "S", converter = SizeConverter.class, defaultValue = "32M",
            description = "Bytes a worker takes at a time; a multiple of the buffer size (default ${DEFAULT-VALUE}).")
    private long segmentSize;

    @Option(names = "--buffer-size", paramLabel = "B", converter = SizeConverter.class, defaultValue = "2M",
            description = "Bytes read at a time per worker; a multiple of 512 (default ${DEFAULT-VALUE}).")
    private long bufferSize;

    @Option(names = {"-S", "--sparse-size"}, paramLabel = "N", converter = SizeConverter.class, defaultValue = "4K",
            description = "A run of this many zero bytes in the data becomes a hole (default ${DEFAULT-VALUE}, as"
                    + " qemu-img's -S); 0 writes every byte, holes included.")
    private long sparseSize;

    @Option(names = "-n", description = "Write into the existing target instead of creating it (as qemu-img's -n):"
            + " it keeps its size, and ranges that read as zero are made zero.")
    private boolean existing;

    @Option(names = "-W", description = "Accepted for qemu-img's command lines (its out-of-order writes): the workers"
            + " run in parallel whatever it says.")
    private boolean outOfOrder;

    @Option(names = "--sync", description = "Flush the target to disk before reporting success.")
    private boolean sync;

    @Option(names = "-p", description = "Show the progress bar even when standard error is not a terminal.")
    private boolean progress;

    @Option(names = {"-q", "--quiet"}, description = "Show no progress bar, even on a terminal.")
    private boolean quiet;

    @Parameters(index = "0", paramLabel = "SRC", description = "The image to convert.")
    private String source;

    @Parameters(index = "1", paramLabel = "DST", description = "The raw file (or block device) or qcow2 image to"
            + " write.")
    private String target;

    @Override
    public Integer call() throws Exception {
        if ("qcow2".equals(targetFormat)) {
            return toQcow2();
        }
        if (compress || !layout.options.isEmpty() || backingFile != null || backingFormat != null) {
            throw usage("-c, -o, -B and -F need -O qcow2");
        }
        ProgressBar bar = progressBar();
        ConvertOptions options = withProgress(options(), bar);
        try (Image image = Images.open(Path.of(source), common().openOptions(format.format))) {
            Conversion conversion = Converter.start(image, Path.of(target), options);
            // Ctrl-C: stop the workers and let the converter delete the half-written target
            Thread cancelOnExit = new Thread(() -> cancel(conversion, bar), "qcow2-convert-cancel");
            Runtime.getRuntime().addShutdownHook(cancelOnExit);
            try {
                conversion.await();
            } catch (ConversionException e) {
                if (bar != null) {
                    bar.endLine();
                }
                throw e;
            } finally {
                removeHook(cancelOnExit);
            }
            if (bar != null) {
                bar.finish(image.size());
            }
        }
        return 0;
    }

    /** The progress bar -p asks for or a terminal gets, unless -q; null for none. */
    private ProgressBar progressBar() {
        Streams streams = streams();
        return !quiet && (progress || streams.errIsTerminal()) ? new ProgressBar(streams.err(), System::nanoTime)
                : null;
    }

    private static ConvertOptions withProgress(ConvertOptions options, ProgressBar bar) {
        return bar == null ? options : options.toBuilder().progress(bar).build();
    }

    /** {@code -O qcow2}: the qcow2 writer, with the same workers, buffer size, sync and progress bar. */
    private int toQcow2() throws Exception {
        if (existing) {
            throw usage("-n: an existing target is not reused with -O qcow2");
        }
        if (backingFormat != null && backingFile == null) {
            throw usage("-F names the format of the -B backing file: give -B too");
        }
        // a bad -o is the image's failure (exit 1), as qemu-img reports it
        Qcow2Options qcow2 = layout.parse(backingFile, backingFormat).options();
        ProgressBar bar = progressBar();
        ConvertOptions options = withProgress(options(), bar);
        try (Image image = Images.open(Path.of(source), common().openOptions(format.format))) {
            // Ctrl-C: interrupt the conversion, which then deletes its half-written file, and wait for that
            Thread converting = Thread.currentThread();
            CountDownLatch done = new CountDownLatch(1);
            Thread interruptOnExit = new Thread(() -> {
                converting.interrupt();
                try {
                    done.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "qcow2-convert-cancel");
            Runtime.getRuntime().addShutdownHook(interruptOnExit);
            try {
                Qcow2Converter.convert(image, Path.of(target), qcow2, compress, options);
            } catch (IOException | RuntimeException e) {
                if (bar != null) {
                    bar.endLine();
                }
                throw e;
            } finally {
                done.countDown();
                removeHook(interruptOnExit);
            }
            if (bar != null) {
                bar.finish(image.size());
            }
        }
        return 0;
    }

    private ConvertOptions options() {
        if (target.isEmpty()) {
            throw usage("DST is empty: name the file to write");
        }
        if (!"raw".equals(targetFormat) && !"qcow2".equals(targetFormat)) {
            throw usage("-O " + targetFormat + ": the target formats are raw and qcow2");
        }
        if (bufferSize > Integer.MAX_VALUE || sparseSize > Integer.MAX_VALUE) {
            throw usage("--buffer-size and --sparse-size must be below 2G");
        }
        try {
            return ConvertOptions.builder().workers(workers).segmentSize(segmentSize).bufferSize((int) bufferSize)
                    .sparseSize((int) sparseSize).sync(sync).overwriteExisting(existing).build();
        } catch (IllegalArgumentException e) {
            throw usage(optionNames(e.getMessage()));
        }
    }

    /** The converter names its options as Java does; say them as they were typed. */
    private static String optionNames(String message) {
        return message.replace("workers", "--workers").replace("segmentSize", "--segment-size")
                .replace("bufferSize", "--buffer-size").replace("sparseSize", "--sparse-size");
    }

    private static void cancel(Conversion conversion, ProgressBar bar) {
        if (!conversion.isDone()) {
            conversion.cancel();
            try {
                conversion.await();
            } catch (ConversionException expected) {
                // cancelled: the target is cleaned up, which is all the hook is for
            }
            if (bar != null) {
                bar.endLine();
            }
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running already
        }
    }

    @Override
    String subject() {
        return source;
    }
}
