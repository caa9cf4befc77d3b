package io.qcow4j.examples.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.qcow4j.spi.Image;
import io.qcow4j.spi.Images;
import io.qcow4j.spi.OpenOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "info", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Show an image's format, sizes, backing file and format-specific fields, as qemu-img info does.",
        footer = {"", "Examples:",
                "  qcow2 info disk.qcow2",
                "  qcow2 info --output=json --backing-chain disk.qcow2",
                "  qcow2 info --safe upload.qcow2   # refuses images that name other files"})
final class InfoCommand implements Callable<Integer>, ImageCommand {

    @ParentCommand
    private Qcow2Command parent;

    @Mixin
    private CommonOptions common;

    @Mixin
    private FormatOption format;

    @Option(names = "--output", paramLabel = "human|json", defaultValue = "human",
            description = "human (default) or json, with qemu-img's JSON keys.")
    private OutputFormat output;

    @Option(names = "--backing-chain", description = "Show every image of the backing chain, top first.")
    private boolean backingChain;

    @Parameters(paramLabel = "IMAGE", description = "The image file.")
    private String image;

    @Override
    public Integer call() throws Exception {
        String text;
        // like qemu-img info, the image alone is shown without opening its backing file, which may be missing
        OpenOptions options = common.openOptions(format.format).withFollowBacking(backingChain);
        try (Image opened = Images.open(Path.of(image), options)) {
            List<ImageChain.Layer> layers = ImageChain.of(image, opened);
            List<ImageChain.Layer> shown = backingChain ? layers : layers.subList(0, 1);
            text = output == OutputFormat.json ? json(shown) : human(shown);
        }
        parent.streams().out().write(text.getBytes(StandardCharsets.UTF_8));
        return 0;
    }

    /** One object, or with {@code --backing-chain} an array of them (even of one), as qemu-img prints. */
    private String json(List<ImageChain.Layer> layers) {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (ImageChain.Layer layer : layers) {
            objects.add(InfoFields.of(layer.name(), layer.info(), backingName(layer)));
        }
        return Json.pretty(backingChain ? objects : objects.get(0)) + "\n";
    }

    private String human(List<ImageChain.Layer> layers) {
        InfoText text = new InfoText(ZoneId.systemDefault());
        StringBuilder out = new StringBuilder();
        for (ImageChain.Layer layer : layers) {
            if (out.length() > 0) {
                out.append('\n');
            }
            out.append(text.of(layer.name(), layer.info(), backingName(layer)));
        }
        return out.toString();
    }

    private static String backingName(ImageChain.Layer layer) {
        String backing = layer.info().backingFilename();
        return backing == null ? null : ImageChain.combine(layer.name(), backing);
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
