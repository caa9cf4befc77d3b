package io.qcow4j.cli;

import java.io.IOException;
import java.nio.file.Path;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.OpenOptions;

/** A subcommand on one image, its only parameter, whose format {@code -f} names. */
abstract class SingleImageCommand extends ImageCommand {

    @Mixin
    private FormatOption format;

    @Parameters(paramLabel = "IMAGE", description = "The image file.")
    private String image;

    @Override
    final String subject() {
        return image;
    }

    /** How the command line says to open the image. */
    final OpenOptions openOptions() {
        return common().openOptions(format.format);
    }

    final Image open(OpenOptions options) throws IOException {
        return Images.open(Path.of(image), options);
    }
}
