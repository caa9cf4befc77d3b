package io.qcow4j.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import io.qcow4j.qcow2.write.Qcow2Options;
import io.qcow4j.qcow2.write.Qcow2OptionsParser;

/**
 * qemu-img's {@code -o} for a new qcow2 image, shared by {@code create} and {@code convert -O qcow2}: one parser
 * ({@link Qcow2OptionsParser}, {@code measure}'s too), repeated {@code -o} joined left to right as qemu-img joins them.
 */
final class Qcow2LayoutOptions {

    private final OptionSpec options = CommandModels.repeatable("OPTIONS", "qcow2 options, comma-separated:"
            + " cluster_size=SIZE, compat=0.10|1.1, compression_type=zlib|zstd, extended_l2=on|off,"
            + " lazy_refcounts=on|off, refcount_bits=N, backing_file=NAME, backing_fmt=FMT.", "-o").build();

    void addTo(CommandSpec command) {
        command.addOption(options);
    }

    /** Whether -o was given at all. */
    boolean given() {
        return !CommandModels.values(options).isEmpty();
    }

    /** Whether any -o names this option. */
    boolean names(String option) {
        for (String text : CommandModels.values(options)) {
            for (String pair : text.split(",")) {
                if (pair.startsWith(option + "=")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The options, with a backing file and format from {@code -b}/{@code -B} and {@code -F} when given (they win over
     * {@code -o}'s, as in qemu-img), and {@code -o size=} when given.
     *
     * @throws IllegalArgumentException with qemu-img's message for a bad option, or for one qcow4j does not write
     */
    Qcow2OptionsParser.Parsed parse(String backingFile, String backingFormat) {
        Qcow2OptionsParser.Parsed parsed =
                Qcow2OptionsParser.parse(Qcow2OptionsParser.join(CommandModels.values(options)));
        Qcow2Options.Builder builder = parsed.options().toBuilder();
        if (backingFile != null) {
            builder.backingFile(backingFile);
        }
        if (backingFormat != null) {
            builder.backingFormat(backingFormat);
        }
        return new Qcow2OptionsParser.Parsed(builder.build(), parsed.size(), parsed.preallocation());
    }

    /**
     * qemu-img's "Formatting" line: the options it creates the image with, in its order; {@code preallocation} only
     * when {@code -o} names it.
     */
    String formatting(String image, Qcow2OptionsParser.Parsed parsed, long size) {
        Qcow2Options options = parsed.options();
        StringBuilder line = new StringBuilder("Formatting '").append(image).append("', fmt=qcow2 cluster_size=")
                .append(options.clusterSize()).append(" extended_l2=").append(options.extendedL2() ? "on" : "off");
        if (names("preallocation")) {
            line.append(" preallocation=").append(parsed.preallocation().optionName());
        }
        line.append(" compression_type=").append(options.compressionType().optionName())
                .append(" size=").append(size);
        options.backingFile().ifPresent(name -> line.append(" backing_file=").append(name));
        options.backingFormat().ifPresent(format -> line.append(" backing_fmt=").append(format));
        if (names("compat")) {
            line.append(" compat=").append(options.compat().optionName());
        }
        line.append(" lazy_refcounts=").append(options.lazyRefcounts() ? "on" : "off")
                .append(" refcount_bits=").append(options.refcountBits());
        return line.append('\n').toString();
    }
}
