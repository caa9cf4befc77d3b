package io.qcow4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.convert.Conversion;
import io.qcow4j.convert.ConversionException;
import io.qcow4j.convert.ConvertOptions;
import io.qcow4j.convert.Converter;
import io.qcow4j.qcow2.write.Qcow2Converter;
import io.qcow4j.qcow2.write.Qcow2Options;
import io.qcow4j.qcow2.write.Qcow2OptionsParser;

/** {@code qcow2 convert}: any image to raw or qcow2, with several workers at once. */
final class ConvertCommand extends ImageCommand {

    private final FormatOption format = new FormatOption();

    private final OptionSpec targetFormat = CommandModels.option("raw|qcow2", "The target format: raw (default) or"
            + " qcow2.", "-O").defaultValue("raw").build();

    private final OptionSpec compress = CommandModels.flag("qcow2: compress the data clusters (deflate, or zstd with -o"
            + " compression_type=zstd) on all workers, as qemu-img's -c.", "-c");

    private final Qcow2LayoutOptions layout = new Qcow2LayoutOptions();

    private final OptionSpec backingFile = CommandModels.option("BACKING", "qcow2: the new image's backing file, stored"
            + " as given (relative to the target's directory); only clusters that differ from it are written.", "-B")
            .build();

    private final OptionSpec backingFormat = CommandModels.option("FMT", "qcow2: the format of the -B backing file"
            + " (required with -B).", "-F").build();

    // no ${DEFAULT-VALUE}: the man pages are generated on the build machine, whose core count is not the user's
    private final OptionSpec workers = CommandModels.option("N", "Threads copying at once, as qemu-img's -m (default:"
            + " one per core, at least 2).", "-m", "--workers").type(int.class)
            .initialValue(ConvertOptions.DEFAULT_WORKERS).build();

    private final OptionSpec segmentSize = CommandModels.option("S", "Bytes a worker takes at a time; a multiple of the"
            + " buffer size (default ${DEFAULT-VALUE}).", "--segment-size").type(long.class)
            .converters(new SizeConverter()).defaultValue("32M").build();

    private final OptionSpec bufferSize = CommandModels.option("B", "Bytes read at a time per worker; a multiple of 512"
            + " (default ${DEFAULT-VALUE}).", "--buffer-size").type(long.class).converters(new SizeConverter())
            .defaultValue("2M").build();

    private final OptionSpec sparseSize = CommandModels.option("N", "A run of this many zero bytes in the data"
            + " becomes a hole (default ${DEFAULT-VALUE}, as qemu-img's -S); 0 writes every byte, holes included.",
            "-S", "--sparse-size").type(long.class).converters(new SizeConverter()).defaultValue("4K").build();

    private final OptionSpec existing = CommandModels.flag("Write into the existing target instead of creating it (as"
            + " qemu-img's -n): it keeps its size, and ranges that read as zero are made zero.", "-n");

    private final OptionSpec outOfOrder = CommandModels.flag("Accepted for qemu-img's command lines (its out-of-order"
            + " writes): the workers run in parallel whatever it says.", "-W");

    private final OptionSpec sync = CommandModels.flag("Flush the target to disk before reporting success.", "--sync");

    private final OptionSpec progress = CommandModels.flag("Show the progress bar even when standard error is not a"
            + " terminal.", "-p");

    private final OptionSpec quiet = CommandModels.flag("Show no progress bar, even on a terminal.", "-q", "--quiet");

    private final PositionalParamSpec source = CommandModels.parameter("0", "SRC", "The image to convert.").build();

    private final PositionalParamSpec target = CommandModels.parameter("1", "DST", "The raw file (or block device) or"
            + " qcow2 image to write.").build();

    ConvertCommand(Streams streams) {
        super(streams, "convert", "Convert an image to a sparse raw file, as qemu-img convert -O raw does, or to a"
                        + " qcow2 image (-O qcow2, compressed with -c), with several workers at once. Ranges that read"
                        + " as zeros become holes or unallocated clusters; only data is written.",
                "  qcow2 convert disk.qcow2 disk.raw",
                "  qcow2 convert -p -m 16 disk.qcow2 /dev/vdb   # a device: zeros are written",
                "  qcow2 convert -n disk.qcow2 old.raw          # reuse a file; zeros become holes",
                "  qcow2 convert --safe -f qcow2 upload.qcow2 upload.raw",
                "  qcow2 convert -c -O qcow2 disk.vmdk disk.qcow2          # compressed on every core",
                "  qcow2 convert -O qcow2 -B base.qcow2 -F qcow2 new.raw delta.qcow2");
        format.addTo(spec());
        spec().addOption(targetFormat).addOption(compress);
        layout.addTo(spec());
        spec().addOption(backingFile).addOption(backingFormat).addOption(workers).addOption(segmentSize)
                .addOption(bufferSize).addOption(sparseSize).addOption(existing).addOption(outOfOrder)
                .addOption(sync).addOption(progress).addOption(quiet);
        spec().addPositional(source).addPositional(target);
    }

    @Override
    public Integer call() throws Exception {
        if ("qcow2".equals(CommandModels.value(targetFormat))) {
            return toQcow2();
        }
        if (CommandModels.isSet(compress) || layout.given() || CommandModels.value(backingFile) != null
                || CommandModels.value(backingFormat) != null) {
            throw usage("-c, -o, -B and -F need -O qcow2");
        }
        ProgressBar bar = progressBar();
        ConvertOptions options = withProgress(options(), bar);
        try (Image image = Images.open(Path.of(source()), common().openOptions(format.format()))) {
            Conversion conversion = Converter.start(image, Path.of(target()), options);
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
        return !CommandModels.isSet(quiet) && (CommandModels.isSet(progress) || streams.errIsTerminal())
                ? new ProgressBar(streams.err(), System::nanoTime)
                : null;
    }

    private static ConvertOptions withProgress(ConvertOptions options, ProgressBar bar) {
        return bar == null ? options : options.toBuilder().progress(bar).build();
    }

    /** {@code -O qcow2}: the qcow2 writer, with the same workers, buffer size, sync and progress bar. */
    private int toQcow2() throws Exception {
        if (CommandModels.isSet(existing)) {
            throw usage("-n: an existing target is not reused with -O qcow2");
        }
        String backingFile = CommandModels.value(this.backingFile);
        String backingFormat = CommandModels.value(this.backingFormat);
        if (backingFormat != null && backingFile == null) {
            throw usage("-F names the format of the -B backing file: give -B too");
        }
        // a bad -o is the image's failure (exit 1), as qemu-img reports it
        Qcow2OptionsParser.Parsed parsed = layout.parse(backingFile, backingFormat);
        if (parsed.preallocation() != Qcow2OptionsParser.Preallocation.OFF) {
            throw new IllegalArgumentException("convert does not preallocate (preallocation="
                    + parsed.preallocation().optionName() + "); create -o preallocation= does");
        }
        Qcow2Options qcow2 = parsed.options();
        ProgressBar bar = progressBar();
        ConvertOptions options = withProgress(options(), bar);
        try (Image image = Images.open(Path.of(source()), common().openOptions(format.format()))) {
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
                if (CommandModels.isSet(compress)) {
                    Qcow2Converter.convertCompressed(image, Path.of(target()), qcow2, options);
                } else {
                    Qcow2Converter.convert(image, Path.of(target()), qcow2, options);
                }
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
        String targetFormat = CommandModels.value(this.targetFormat);
        long bufferSize = CommandModels.<Long>value(this.bufferSize);
        long sparseSize = CommandModels.<Long>value(this.sparseSize);
        if (target().isEmpty()) {
            throw usage("DST is empty: name the file to write");
        }
        if (!"raw".equals(targetFormat) && !"qcow2".equals(targetFormat)) {
            throw usage("-O " + targetFormat + ": the target formats are raw and qcow2");
        }
        if (bufferSize > Integer.MAX_VALUE || sparseSize > Integer.MAX_VALUE) {
            throw usage("--buffer-size and --sparse-size must be below 2G");
        }
        try {
            return ConvertOptions.builder().workers(CommandModels.<Integer>value(workers))
                    .segmentSize(CommandModels.<Long>value(segmentSize)).bufferSize((int) bufferSize)
                    .sparseSize((int) sparseSize).sync(CommandModels.isSet(sync))
                    .overwriteExisting(CommandModels.isSet(existing)).build();
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
        return source();
    }

    private String source() {
        return CommandModels.value(source);
    }

    private String target() {
        return CommandModels.value(target);
    }
}
