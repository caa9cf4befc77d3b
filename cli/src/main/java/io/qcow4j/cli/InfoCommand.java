package io.qcow4j.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import io.qcow4j.Image;
import io.qcow4j.OpenOptions;

@Command(name = "info", sortOptions = false, mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Show an image's format, sizes, backing file and format-specific fields, as qemu-img info does.",
        footer = {"", "Examples:",
                "  qcow2 info disk.qcow2",
                "  qcow2 info --output=json --backing-chain disk.qcow2",
                "  qcow2 info --safe upload.qcow2   # refuses images that name other files"})
final class InfoCommand extends SingleImageCommand {

    @Option(names = "--output", paramLabel = "human|json", defaultValue = "human",
            description = "human (default) or json, with qemu-img's JSON keys.")
    private OutputFormat output;

    @Option(names = "--backing-chain", description = "Show every image of the backing chain, top first.")
    private boolean backingChain;

    @Override
    public Integer call() throws Exception {
        String text;
        // like qemu-img info, the image alone is shown without opening its backing file, which may be missing
        OpenOptions options = openOptions().toBuilder().followBacking(backingChain).build();
        try (Image opened = open(options)) {
            List<ImageChain.Layer> layers = ImageChain.of(subject(), opened);
            List<ImageChain.Layer> shown = backingChain ? layers : layers.subList(0, 1);
            text = output == OutputFormat.json ? json(shown) : human(shown);
        }
        print(text);
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
        InfoText text = new InfoText();
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
}
