package io.qcow4j.cli;

import java.util.List;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The subcommands of {@code qcow2}, named in this one place, and which of them a command line needs. Picocli builds
 * a command's model by reflection, which costs more of a short run than its work does; a command line that names its
 * subcommand first needs that subcommand's model alone (and {@code help}'s, for {@code qcow2 help convert}).
 */
final class Subcommands {

    /** In the order the top-level help lists them. */
    private static final List<Class<?>> ALL = List.of(InfoCommand.class, MapCommand.class, ReadCommand.class,
            ConvertCommand.class, MountCommand.class, CommandLine.HelpCommand.class);
    private static final Class<?> HELP = CommandLine.HelpCommand.class;

    private Subcommands() {
    }

    /**
     * The subcommands picocli must know to parse and run {@code args} as it would knowing them all: the one its first
     * argument names, none for the version alone, or else all of them (top-level help and usage errors list them).
     */
    static List<Class<?>> neededBy(String... args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            // the standard version option, alone: the version needs no subcommand
            return List.of();
        }
        Class<?> first = args.length > 0 ? named(args[0]) : null;
        if (first == null) {
            return ALL;
        }
        if (first != HELP) {
            return List.of(first);
        }
        Class<?> second = args.length > 1 ? named(args[1]) : null;
        return second == null || second == HELP ? ALL : List.of(second, HELP);
    }

    private static Class<?> named(String name) {
        for (Class<?> type : ALL) {
            if (type.getAnnotation(Command.class).name().equals(name)) {
                return type;
            }
        }
        return null;
    }
}
