package io.qcow4j.cli;

import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The subcommands of {@code qcow2}, named in this one place, and which of them a command line needs. Each model
 * costs a short run time to build and its command's classes to load; a command line that names its subcommand first
 * needs that subcommand's model alone (and {@code help}'s, for {@code qcow2 help convert}).
 */
final class Subcommands {

    /** Every subcommand, in the order the top-level help lists them. */
    static final List<String> NAMES = List.of("info", "map", "read", "convert", "create", "measure", "mount", "help");

    private Subcommands() {
    }

    /**
     * The subcommands picocli must know to parse and run {@code args} as it would knowing them all: the one its first
     * argument names, none for the version alone, or else all of them (top-level help and usage errors list them).
     */
    static List<CommandSpec> neededBy(Streams streams, String... args) {
        return models(streams, namesNeededBy(args));
    }

    /** The names of the subcommands {@link #neededBy} makes. */
    static List<String> namesNeededBy(String... args) {
        if (isVersionAlone(args)) {
            // the standard version option, alone: the version needs no subcommand
            return List.of();
        }
        String first = args.length > 0 && NAMES.contains(args[0]) ? args[0] : null;
        if (first == null) {
            return NAMES;
        }
        if (!first.equals("help")) {
            return List.of(first);
        }
        String second = args.length > 1 && NAMES.contains(args[1]) ? args[1] : null;
        return second == null || second.equals("help") ? NAMES : List.of(second, "help");
    }

    /** Whether {@code args} is the standard version option alone, which needs no subcommand. */
    static boolean isVersionAlone(String... args) {
        return args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"));
    }

    /** Every subcommand's model. */
    static List<CommandSpec> all(Streams streams) {
        return models(streams, NAMES);
    }

    private static List<CommandSpec> models(Streams streams, List<String> names) {
        List<CommandSpec> models = new ArrayList<>();
        for (String name : names) {
            models.add(model(name, streams));
        }
        return models;
    }

    /** The model of the subcommand of that name, writing to {@code streams}; only its class is loaded. */
    static CommandSpec model(String name, Streams streams) {
        return switch (name) {
            case "info" -> new InfoCommand(streams).model();
            case "map" -> new MapCommand(streams).model();
            case "read" -> new ReadCommand(streams).model();
            case "convert" -> new ConvertCommand(streams).model();
            case "create" -> new CreateCommand(streams).model();
            case "measure" -> new MeasureCommand(streams).model();
            case "mount" -> new MountCommand(streams).model();
            // picocli's own, read from its annotations: only help pays for that
            case "help" -> CommandSpec.forAnnotatedObject(new CommandLine.HelpCommand());
            default -> throw new IllegalArgumentException("no subcommand " + name);
        };
    }
}
