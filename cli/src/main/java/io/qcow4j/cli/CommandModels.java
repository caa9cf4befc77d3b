package io.qcow4j.cli;

import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Picocli's model of a command, built with its programmatic API rather than read from annotations: reading
 * annotations makes the JDK generate a proxy class for each annotation type and costs a short command more than its
 * work does. Each command builds its options here and reads their values from them after the parse.
 */
final class CommandModels {

    private CommandModels() {
    }

    /**
     * A command's model, options in the order they are added (as help lists them), then {@link #finish} adds the
     * standard help options last.
     *
     * @param command what picocli runs: a {@code Runnable} or {@code Callable}
     * @param examples the lines under "Examples:" at the end of the help
     */
    static CommandSpec command(Object command, String name, String description, String... examples) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(command).name(name).versionProvider(new Version());
        List<String> footer = new ArrayList<>(List.of("", "Examples:"));
        footer.addAll(List.of(examples));
        spec.usageMessage().sortOptions(false).description(description).footer(footer.toArray(String[]::new));
        return spec;
    }

    /** Adds {@code -h} and {@code -V}, worded as picocli's standard help options, and returns the model. */
    static CommandSpec finish(CommandSpec spec) {
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
                .description("Show this help message and exit.").build());
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true)
                .description("Print version information and exit.").build());
        return spec;
    }

    /** An option that takes no value. */
    static OptionSpec flag(String description, String... names) {
        return OptionSpec.builder(names).type(boolean.class).description(description).build();
    }

    /** An option with a text value; the caller may set another type, a converter, a default. */
    static OptionSpec.Builder option(String label, String description, String... names) {
        return OptionSpec.builder(names).type(String.class).paramLabel(label).description(description);
    }

    /** A required positional parameter with a text value, at {@code index}. */
    static PositionalParamSpec.Builder parameter(String index, String label, String description) {
        return PositionalParamSpec.builder().index(index).type(String.class).arity("1").required(true)
                .paramLabel(label).description(description);
    }

    /** A positional parameter that may be left out. */
    static PositionalParamSpec.Builder optionalParameter(String index, String label, String description) {
        return parameter(index, label, description).arity("0..1").required(false);
    }

    /** Whether the command line gave a {@link #flag}. */
    static boolean isSet(OptionSpec flag) {
        return Boolean.TRUE.equals(flag.getValue());
    }

    /** The value parsed (or defaulted) for an option or parameter, or null. */
    static <T> T value(ArgSpec arg) {
        return arg.getValue();
    }

    /** The values of an option given any number of times, in order; empty when not given. */
    static List<String> values(OptionSpec option) {
        List<String> values = option.getValue();
        return values == null ? List.of() : values;
    }

    /** An option that may be given many times, each value kept. */
    static OptionSpec.Builder repeatable(String label, String description, String... names) {
        return OptionSpec.builder(names).type(List.class).auxiliaryTypes(String.class).paramLabel(label)
                .description(description);
    }
}
