package io.qcow4j.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import picocli.CommandLine.Model.OptionSpec;

import io.qcow4j.Image;
import io.qcow4j.OpenOptions;

/** {@code qcow2 info}: qemu-img info's text and JSON. */
final class InfoCommand extends SingleImageCommand {

    private final OptionSpec output = CommandModels.option("human|json", "human (default) or json, with qemu-img's JSON"
            + " keys.", "--output").type(OutputFormat.class).defaultValue("human").build();

    private final OptionSpec backingChain = CommandModels.flag("Show every image of the backing chain, top first.",
            "--backing-chain");

    InfoCommand(Streams streams) {
        super(streams, "info", "Show an image's format, sizes, backing file and format-specific fields, as qemu-img"
                        + " info does.",
                "  qcow2 info disk.qcow2",
                "  qcow2 info --output=json --backing-chain disk.qcow2",
                "  qcow2 info --safe upload.qcow2   # refuses images that name other files");
        spec().addOption(output).addOption(backingChain);
    }

    @Override
    public Integer call() throws Exception {
        boolean backingChain = CommandModels.isSet(this.backingChain);
        String text;
        // like qemu-img info, the image alone is shown without opening its backing file, which may be missing
        OpenOptions options = openOptions().toBuilder().followBacking(backingChain).build();
        try (Image opened = open(options)) {
            List<ImageChain.Layer> layers = ImageChain.of(subject(), opened);
            List<ImageChain.Layer> shown = backingChain ? layers : layers.subList(0, 1);
            text = CommandModels.value(output) == OutputFormat.json ? json(shown, backingChain) : human(shown);
        }
        print(text);
        return 0;
    }

    /** One object, or with {@code --backing-chain} an array of them (even of one), as qemu-img prints. */
    private static String json(List<ImageChain.Layer> layers, boolean backingChain) {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (ImageChain.Layer layer : layers) {
            objects.add(InfoFields.of(layer.name(), layer.info(), backingName(layer)));
        }
        return Json.pretty(backingChain ? objects : objects.get(0)) + "\n";
    }

    private static String human(List<ImageChain.Layer> layers) {
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
