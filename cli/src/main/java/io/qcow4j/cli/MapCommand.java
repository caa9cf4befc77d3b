package io.qcow4j.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import picocli.CommandLine.Model.OptionSpec;

import io.qcow4j.Image;

/** {@code qcow2 map}: where the guest's data lives, as qemu-img map shows it. */
final class MapCommand extends SingleImageCommand {

    private final OptionSpec output = CommandModels.option("human|json", "human (default): the ranges stored in some"
            + " file; json: every range, as qemu-img map does.", "--output").type(OutputFormat.class)
            .defaultValue("human").build();

    MapCommand(Streams streams) {
        super(streams, "map", "Show where the guest's data lives: which image of the chain holds each range, whether"
                        + " it reads as zeros, is compressed, or is stored raw at a file offset. Reads no data.",
                "  qcow2 map disk.qcow2",
                "  qcow2 map --output=json disk.qcow2   # as qemu-img map --output=json");
        spec().addOption(output);
    }

    @Override
    public Integer call() throws Exception {
        try (Image opened = open(openOptions())) {
            Writer out = new BufferedWriter(new OutputStreamWriter(new StandardOutput(streams().out()),
                    StandardCharsets.UTF_8), 1 << 16);
            if (CommandModels.value(output) == OutputFormat.json) {
                MapText.json(opened, out);
            } else {
                List<String> names = ImageChain.of(subject(), opened).stream().map(ImageChain.Layer::dataFileName)
                        .toList();
                MapText.human(opened, names, out);
            }
            out.flush();
        } catch (StandardOutput.Failure e) {
            return outputFailed((IOException) e.getCause());
        }
        return 0;
    }
}
