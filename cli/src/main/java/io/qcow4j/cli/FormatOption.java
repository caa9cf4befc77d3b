package io.qcow4j.cli;

import picocli.CommandLine.Option;

/** {@code -f/--format}, as qemu-img spells it. */
final class FormatOption {

    @Option(names = {"-f", "--format"}, paramLabel = "FMT", description = CommonOptions.FORMAT_HELP)
    String format;
}
