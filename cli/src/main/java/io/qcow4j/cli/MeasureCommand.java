package io.qcow4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.qcow2.write.Measurement;
import io.qcow4j.qcow2.write.Qcow2Measure;
import io.qcow4j.qcow2.write.Qcow2OptionsParser;

/** {@code qcow2 measure}: the size a new image needs, as qemu-img measure computes it. */
final class MeasureCommand extends ImageCommand {

    private final OptionSpec output = CommandModels.option("human|json", "human (default) or json, with qemu-img's JSON"
            + " keys.", "--output").type(OutputFormat.class).defaultValue("human").build();

    private final OptionSpec targetFormat = CommandModels.option("qcow2|raw", "The new image's format: qcow2, or raw"
            + " (the default, as in qemu-img), whose size is the disk's.", "-O").defaultValue("raw").build();

    private final OptionSpec targetOptions = CommandModels.repeatable("OPTIONS", "The new image's options, as"
            + " qemu-img's -o: cluster_size, compat, compression_type, extended_l2, lazy_refcounts, refcount_bits,"
            + " preallocation, backing_file (every cluster is then required), ... May be given more than once.", "-o")
            .build();

    private final FormatOption format = new FormatOption();

    private final OptionSpec size = CommandModels.option("SIZE", "Measure a new, empty disk of this size (K, M, G, T,"
            + " P, E suffixes) instead of a copy of SRC.", "--size").type(Long.class).converters(new SizeConverter())
            .build();

    private final PositionalParamSpec source = CommandModels.optionalParameter("0", "SRC", "The image whose copy is"
            + " measured.").build();

    MeasureCommand(Streams streams) {
        super(streams, "measure", "Show the file size a new image needs, as qemu-img measure does: the size holding a"
                        + " copy of SRC's data (or a new disk of --size bytes), and the size with every cluster"
                        + " allocated. Reads no data, only where it is.",
                "  qcow2 measure -O qcow2 disk.vmdk",
                "  qcow2 measure -O qcow2 -o cluster_size=2M --output=json disk.raw",
                "  qcow2 measure -O qcow2 --size 1T");
        spec().addOption(output).addOption(targetFormat).addOption(targetOptions);
        format.addTo(spec());
        spec().addOption(size).addPositional(source);
    }

    @Override
    public Integer call() throws Exception {
        Measurement measured = measure();
        print(CommandModels.value(output) == OutputFormat.json ? json(measured) : human(measured));
        return 0;
    }

    private Measurement measure() throws Exception {
        String source = subject();
        Long size = CommandModels.value(this.size);
        String targetFormat = CommandModels.value(this.targetFormat);
        if (source != null && size != null) {
            throw usage("--size N cannot be used together with a filename.");
        }
        if (source == null && size == null) {
            throw usage("Either --size N or one filename must be specified.");
        }
        if (source == null && (format.format() != null || common().snapshot() != null)) {
            throw usage("-f and -l require a filename argument.");
        }
        boolean qcow2 = switch (targetFormat) {
            case "qcow2" -> true;
            case "raw" -> false;
            default -> throw usage("-O " + targetFormat + ": measure knows qcow2 and raw");
        };
        Qcow2OptionsParser.Parsed parsed = null;
        try {
            String options = Qcow2OptionsParser.join(CommandModels.values(targetOptions));
            if (qcow2) {
                parsed = Qcow2OptionsParser.parse(options);
                if (source != null && parsed.size().isPresent()) {
                    // qemu-img checks a size option against the L1 table's limit even when measuring a source
                    Qcow2Measure.ofSize(parsed.size().getAsLong(), parsed.options(), parsed.preallocation());
                }
            } else {
                Qcow2OptionsParser.parseRaw(options);
            }
            if (source == null) {
                return qcow2 ? Qcow2Measure.ofSize(size, parsed.options(), parsed.preallocation())
                        : Qcow2Measure.rawOfSize(size);
            }
        } catch (Qcow2OptionsParser.InvalidOptionsException e) {
            throw usage(e.getMessage() + "\n" + e.formatLine());
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        try (Image image = Images.open(Path.of(source), common().openOptions(format.format()))) {
            return qcow2 ? Qcow2Measure.of(image, parsed.options(), parsed.preallocation()) : Qcow2Measure.raw(image);
        }
    }

    /** qemu-img's lines; the bitmaps' only when the source and the new image both keep bitmaps. */
    static String human(Measurement measured) {
        StringBuilder out = new StringBuilder()
                .append("required size: ").append(measured.required()).append('\n')
                .append("fully allocated size: ").append(measured.fullyAllocated()).append('\n');
        measured.bitmaps().ifPresent(bytes -> out.append("bitmaps size: ").append(bytes).append('\n'));
        return out.toString();
    }

    /** qemu-img's object, in its key order. */
    static String json(Measurement measured) {
        Map<String, Object> fields = new LinkedHashMap<>();
        measured.bitmaps().ifPresent(bytes -> fields.put("bitmaps", bytes));
        fields.put("required", measured.required());
        fields.put("fully-allocated", measured.fullyAllocated());
        return Json.pretty(fields) + "\n";
    }

    @Override
    String subject() {
        return CommandModels.value(source);
    }
}
