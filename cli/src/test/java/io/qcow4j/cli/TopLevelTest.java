package io.qcow4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import picocli.CommandLine.Model.CommandSpec;

/**
 * What {@code qcow2} says about itself: its help, its version and its usage errors. A command line that names a
 * subcommand first is run with that subcommand alone known to picocli ({@link Subcommands}); these must still see
 * them all.
 */
class TopLevelTest {

    private static final List<String> COMMANDS = List.of("info", "map", "read", "convert", "create", "measure", "mount");

    @Test
    void topLevelHelpListsEveryCommandInOrder() {
        Cli.Result help = Cli.run("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.stderr()).isEmpty();
        assertThat(help.out()).startsWith("Usage: qcow2 [-hV] [COMMAND]\n").contains("Run 'qcow2 help COMMAND'");
        List<String> listed = help.out().lines().dropWhile(line -> !line.equals("Commands:")).skip(1)
                .takeWhile(line -> !line.isEmpty()).filter(line -> line.matches("  \\S.*"))
                .map(line -> line.strip().split(" ")[0]).toList();
        assertThat(listed).containsExactly("info", "map", "read", "convert", "create", "measure", "mount", "help");
        assertThat(Cli.run("-h").out()).isEqualTo(help.out());
        assertThat(Cli.run("help").out()).isEqualTo(help.out());
        // a subcommand's name after the option is not the subcommand
        assertThat(Cli.run("--help", "info").out()).isEqualTo(help.out());
    }

    @Test
    void helpOfACommandIsThatCommandsHelp() {
        for (String command : COMMANDS) {
            Cli.Result help = Cli.run("help", command);
            assertThat(help.exit()).as(command).isZero();
            assertThat(help.out()).as(command).startsWith("Usage: qcow2 " + command + " ").contains("Examples:")
                    .isEqualTo(Cli.run(command, "--help").out()).isEqualTo(Cli.run(command, "-h").out());
        }
        assertThat(Cli.run("help", "help").out()).contains("Usage: qcow2 help [-h] [COMMAND]");
    }

    @Test
    void unknownCommandsAndNoCommandAreUsageErrors() {
        Cli.Result bogus = Cli.run("bogus", "disk.qcow2");
        assertThat(bogus.exit()).isEqualTo(Failures.USAGE);
        assertThat(bogus.out()).isEmpty();
        assertThat(bogus.stderr()).isEqualTo("qcow2: Unmatched arguments from index 0: 'bogus', 'disk.qcow2'\n"
                + "Try 'qcow2 --help' for more information.\n");

        Cli.Result helpBogus = Cli.run("help", "bogus");
        assertThat(helpBogus.exit()).isEqualTo(Failures.USAGE);
        assertThat(helpBogus.stderr()).isEqualTo("qcow2: Unknown subcommand 'bogus'.\n"
                + "Try 'qcow2 --help' for more information.\n");

        Cli.Result none = Cli.run();
        assertThat(none.exit()).isEqualTo(Failures.USAGE);
        assertThat(none.stderr()).isEqualTo("qcow2: Missing required subcommand (info, map, read, convert, create, "
                + "measure, mount)\nTry 'qcow2 --help' for more information.\n");
    }

    @Test
    void version() {
        Cli.Result version = Cli.run("--version");
        assertThat(version.exit()).isZero();
        assertThat(version.out()).isEqualTo("qcow2 (qcow4j) development build\n");
        assertThat(Cli.run("-V").out()).isEqualTo(version.out());
        for (String command : new String[] {"info", "map", "read", "convert", "create", "measure", "mount"}) {
            Cli.Result ofCommand = Cli.run(command, "--version");
            assertThat(ofCommand.exit()).as(command).isZero();
            assertThat(ofCommand.out()).as(command).isEqualTo(version.out());
        }
    }

    @Test
    void aCommandLineNeedsTheCommandItNamesFirst() {
        assertThat(Subcommands.namesNeededBy("info", "disk.qcow2")).containsExactly("info");
        assertThat(Subcommands.namesNeededBy("convert", "help", "mount")).containsExactly("convert");
        assertThat(Subcommands.namesNeededBy("help", "mount")).containsExactly("mount", "help");
        assertThat(Subcommands.namesNeededBy("--version")).isEmpty();
        assertThat(Subcommands.namesNeededBy("-V")).isEmpty();
        List<String> all = List.of("info", "map", "read", "convert", "create", "measure", "mount", "help");
        for (String[] args : List.of(new String[0], new String[] {"--help", "info"}, new String[] {"help"},
                new String[] {"help", "help"}, new String[] {"help", "bogus"}, new String[] {"bogus"},
                new String[] {"INFO"}, new String[] {"-V", "info"},
                new String[] {"--version", "bogus"})) {
            assertThat(Subcommands.namesNeededBy(args)).as(String.join(" ", args)).isEqualTo(all);
        }
        // what the names stand for: each command's model, and only the models asked for
        assertThat(Subcommands.neededBy(Streams.system(), "help", "mount")).extracting(CommandSpec::name)
                .containsExactly("mount", "help");
        assertThat(Subcommands.neededBy(Streams.system(), "info", "x").get(0).userObject())
                .isInstanceOf(InfoCommand.class);
    }

    @Test
    void eachSubcommandIsMadeByTheNameItsModelGives() {
        List<CommandSpec> all = Subcommands.all(Streams.system());
        assertThat(all).extracting(CommandSpec::name).isEqualTo(Subcommands.NAMES);
        for (CommandSpec subcommand : all) {
            assertThat(Subcommands.model(subcommand.name(), Streams.system()).userObject().getClass())
                    .as(subcommand.name()).isEqualTo(subcommand.userObject().getClass());
        }
        assertThatThrownBy(() -> Subcommands.model("INFO", Streams.system()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
