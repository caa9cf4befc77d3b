package io.qcow4j.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** {@code -f/--format}, as qemu-img spells it. */
final class FormatOption {

    private final OptionSpec format = CommandModels.option("FMT", CommonOptions.FORMAT_HELP, "-f", "--format").build();

    void addTo(CommandSpec command) {
        command.addOption(format);
    }

    /** The format named, or null: probe it. */
    String format() {
        return CommandModels.value(format);
    }
}
