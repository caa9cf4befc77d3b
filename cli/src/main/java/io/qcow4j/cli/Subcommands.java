package io.qcow4j.cli;

import java.util.List;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The subcommands of {@code qcow2}, named in this one place, and which of them a command line needs. Picocli builds
 * a command's model by reflection, which costs more of a short run than its work does; a command line that names its
 * subcommand first needs that subcommand's model alone (and {@code help}'s, for {@code qcow2 help convert}), and only
 * that subcommand's class is loaded: a class literal loads its class when it is evaluated, so they are evaluated
 * only in the branch that needs them.
 */
final class Subcommands {

    private Subcommands() {
    }

    /**
     * The subcommands picocli must know to parse and run {@code args} as it would knowing them all: the one its first
     * argument names, none for the version alone, or else all of them (top-level help and usage errors list them).
     */
    static List<Class<?>> neededBy(String... args) {
        if (isVersionAlone(args)) {
            // the standard version option, alone: the version needs no subcommand
            return List.of();
        }
        Class<?> first = args.length > 0 ? named(args[0]) : null;
        if (first == null) {
            return all();
        }
        if (first != CommandLine.HelpCommand.class) {
            return List.of(first);
        }
        Class<?> second = args.length > 1 ? named(args[1]) : null;
        return second == null || second == CommandLine.HelpCommand.class ? all()
                : List.of(second, CommandLine.HelpCommand.class);
    }

    /** Whether {@code args} is the standard version option alone, which needs no subcommand. */
    static boolean isVersionAlone(String... args) {
        return args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"));
    }

    /** Every subcommand, in the order the top-level help lists them. */
    static List<Class<?>> all() {
        return List.of(InfoCommand.class, MapCommand.class, ReadCommand.class, ConvertCommand.class,
                CreateCommand.class, MeasureCommand.class, MountCommand.class, CommandLine.HelpCommand.class);
    }

    /** The subcommand of that name (its {@link Command#name()}), or null. */
    static Class<?> named(String name) {
        return switch (name) {
            case "info" -> InfoCommand.class;
            case "map" -> MapCommand.class;
            case "read" -> ReadCommand.class;
            case "convert" -> ConvertCommand.class;
            case "create" -> CreateCommand.class;
            case "measure" -> MeasureCommand.class;
            case "mount" -> MountCommand.class;
            case "help" -> CommandLine.HelpCommand.class;
            default -> null;
        };
    }
}
