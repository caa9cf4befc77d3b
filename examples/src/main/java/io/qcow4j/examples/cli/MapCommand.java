package io.qcow4j.examples.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import io.qcow4j.spi.BlockStatus;
import io.qcow4j.spi.Image;
import io.qcow4j.spi.Images;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "map", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Show where the guest's data lives: which image of the chain holds each range, whether it reads"
                + " as zeros, is compressed, or is stored raw at a file offset. Reads no data.",
        footer = {"", "Examples:",
                "  qcow2 map disk.qcow2",
                "  qcow2 map --output=json disk.qcow2   # as qemu-img map --output=json"})
final class MapCommand implements Callable<Integer>, ImageCommand {

    @ParentCommand
    private Qcow2Command parent;

    @Mixin
    private CommonOptions common;

    @Mixin
    private FormatOption format;

    @Option(names = "--output", paramLabel = "human|json", defaultValue = "human",
            description = "human (default): the ranges stored in some file; json: every range, as qemu-img map does.")
    private OutputFormat output;

    @Parameters(paramLabel = "IMAGE", description = "The image file.")
    private String image;

    @Override
    public Integer call() throws Exception {
        String text;
        try (Image opened = Images.open(Path.of(image), common.openOptions(format.format))) {
            List<BlockStatus> runs = opened.map(0, opened.size());
            if (output == OutputFormat.json) {
                text = MapText.json(runs);
            } else {
                List<String> names = ImageChain.of(image, opened).stream().map(ImageChain.Layer::name).toList();
                text = MapText.human(runs, names);
            }
        }
        parent.streams().out().write(text.getBytes(StandardCharsets.UTF_8));
        return 0;
    }

    @Override
    public String subject() {
        return image;
    }

    @Override
    public CommonOptions common() {
        return common;
    }
}
