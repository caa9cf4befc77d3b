package io.qcow4j.cli;

import java.nio.file.Path;

import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import io.qcow4j.qcow2.write.Qcow2Options;
import io.qcow4j.qcow2.write.Qcow2OptionsParser;
import io.qcow4j.qcow2.write.Qcow2Writer;

/** {@code qcow2 create -f qcow2}: an empty image or an overlay, as qemu-img create makes them. */
final class CreateCommand extends ImageCommand {

    private final OptionSpec format = CommandModels.option("qcow2", "The image format: qcow2, the only one written.",
            "-f", "--format").defaultValue("qcow2").build();

    private final OptionSpec backingFile = CommandModels.option("BACKING", "The backing file, stored as given: a"
            + " relative name is relative to the new image's directory.", "-b").build();

    private final OptionSpec backingFormat = CommandModels.option("FMT", "The backing file's format (required with"
            + " -b).", "-F").build();

    private final OptionSpec unchecked = CommandModels.flag("Do not open the backing file, which may not exist yet"
            + " (as qemu-img's -u); SIZE is then required.", "-u");

    private final Qcow2LayoutOptions layout = new Qcow2LayoutOptions();

    private final OptionSpec quiet = CommandModels.flag("Print nothing on success.", "-q", "--quiet");

    private final PositionalParamSpec image = CommandModels.parameter("0", "IMAGE", "The image to create.").build();

    private final PositionalParamSpec size = CommandModels.optionalParameter("1", "SIZE", "The virtual size (K, M, G, T"
            + " suffixes); the backing file's when omitted.").type(Long.class)
            .converters(new SizeConverter()).build();

    CreateCommand(Streams streams) {
        super(streams, "create", "Create an empty qcow2 image, or an overlay on a backing file, as qemu-img create -f"
                        + " qcow2 does. An existing file of that name is replaced.",
                "  qcow2 create -f qcow2 disk.qcow2 20G",
                "  qcow2 create -f qcow2 -o cluster_size=2M,compression_type=zstd disk.qcow2 20G",
                "  qcow2 create -f qcow2 -b base.qcow2 -F qcow2 overlay.qcow2   # the size of base.qcow2");
        spec().addOption(format).addOption(backingFile).addOption(backingFormat).addOption(unchecked);
        layout.addTo(spec());
        spec().addOption(quiet).addPositional(image).addPositional(size);
    }

    @Override
    public Integer call() throws Exception {
        String format = CommandModels.value(this.format);
        if (!"qcow2".equals(format)) {
            throw usage("-f " + format + ": create writes qcow2 only");
        }
        // a bad option is the image's failure (exit 1), as qemu-img reports it, not a usage error
        Qcow2OptionsParser.Parsed parsed = layout.parse(CommandModels.value(backingFile),
                CommandModels.value(backingFormat));
        Qcow2Options options = parsed.options();
        // the argument wins over -o size=, as in qemu-img
        Long size = CommandModels.value(this.size);
        long requested = size != null ? size : parsed.size().orElse(-1);
        Path image = Path.of(subject());
        long created = CommandModels.isSet(unchecked)
                ? Qcow2Writer.createUnchecked(image, requested, options, parsed.preallocation())
                : Qcow2Writer.create(image, requested, options, parsed.preallocation());
        if (!CommandModels.isSet(quiet)) {
            print(layout.formatting(subject(), parsed, created));
        }
        return 0;
    }

    @Override
    String subject() {
        return CommandModels.value(image);
    }
}
