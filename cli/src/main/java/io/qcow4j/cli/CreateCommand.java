package io.qcow4j.cli;

import java.nio.file.Path;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import io.qcow4j.qcow2.write.Qcow2Options;
import io.qcow4j.qcow2.write.Qcow2OptionsParser;
import io.qcow4j.qcow2.write.Qcow2Writer;

@Command(name = "create", sortOptions = false, mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Create an empty qcow2 image, or an overlay on a backing file, as qemu-img create -f qcow2"
                + " does. An existing file of that name is replaced."},
        footer = {"", "Examples:",
                "  qcow2 create -f qcow2 disk.qcow2 20G",
                "  qcow2 create -f qcow2 -o cluster_size=2M,compression_type=zstd disk.qcow2 20G",
                "  qcow2 create -f qcow2 -b base.qcow2 -F qcow2 overlay.qcow2   # the size of base.qcow2"})
final class CreateCommand extends ImageCommand {

    @Option(names = {"-f", "--format"}, paramLabel = "qcow2", defaultValue = "qcow2",
            description = "The image format: qcow2, the only one written.")
    private String format;

    @Option(names = "-b", paramLabel = "BACKING",
            description = "The backing file, stored as given: a relative name is relative to the new image's"
                    + " directory.")
    private String backingFile;

    @Option(names = "-F", paramLabel = "FMT", description = "The backing file's format (required with -b).")
    private String backingFormat;

    @Mixin
    private Qcow2LayoutOptions layout;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing on success.")
    private boolean quiet;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "The image to create.")
    private String image;

    @Parameters(index = "1", paramLabel = "SIZE", arity = "0..1", converter = SizeConverter.class,
            description = "The virtual size (K, M, G, T suffixes); the backing file's when omitted.")
    private Long size;

    @Override
    public Integer call() throws Exception {
        if (!"qcow2".equals(format)) {
            throw usage("-f " + format + ": create writes qcow2 only");
        }
        // a bad option is the image's failure (exit 1), as qemu-img reports it, not a usage error
        Qcow2OptionsParser.Parsed parsed = layout.parse(backingFile, backingFormat);
        Qcow2Options options = parsed.options();
        // the argument wins over -o size=, as in qemu-img
        long requested = size != null ? size : parsed.size().orElse(-1);
        long created = Qcow2Writer.create(Path.of(image), requested, options);
        if (!quiet) {
            print(Qcow2LayoutOptions.formatting(image, options, created, layout.names("compat")));
        }
        return 0;
    }

    @Override
    String subject() {
        return image;
    }
}
