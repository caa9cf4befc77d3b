package io.qcow4j.cli;

import java.io.IOException;
import java.nio.file.Path;

import picocli.CommandLine.Model.PositionalParamSpec;

import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.OpenOptions;

/** A subcommand on one image, its only parameter, whose format {@code -f} names. */
abstract class SingleImageCommand extends ImageCommand {

    private final FormatOption format = new FormatOption();
    private final PositionalParamSpec image = CommandModels.parameter("0", "IMAGE", "The image file.").build();

    /** Starts the model: the common options, then {@code -f} and the image; the subclass adds its options. */
    SingleImageCommand(Streams streams, String name, String description, String... examples) {
        super(streams, name, description, examples);
        format.addTo(spec());
        spec().addPositional(image);
    }

    @Override
    final String subject() {
        return CommandModels.value(image);
    }

    /** How the command line says to open the image. */
    final OpenOptions openOptions() {
        return common().openOptions(format.format());
    }

    final Image open(OpenOptions options) throws IOException {
        return Images.open(Path.of(subject()), options);
    }
}
