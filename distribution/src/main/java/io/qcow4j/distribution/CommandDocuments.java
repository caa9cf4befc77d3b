package io.qcow4j.distribution;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.qcow4j.cli.Qcow2Command;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Writes what the distribution derives from the commands themselves, so that it cannot drift from them: bash
 * completion for {@code qcow2}, and an AsciiDoc man page for {@code qcow2} and each subcommand (which the build turns
 * into troff). Both need the whole command tree, which a run of {@code qcow2} never builds (it adds the subcommands
 * its command line names, see {@link Qcow2Command#commandTree()}).
 *
 * <p>Usage: {@code CommandDocuments COMPLETION_FILE MAN_PAGE_DIRECTORY}.
 */
public final class CommandDocuments {

    private CommandDocuments() {
    }

    /**
     * Writes the completion script and the man pages.
     *
     * @param args the completion script's path, then the directory for the AsciiDoc man pages
     * @throws IOException when a file cannot be written
     */
    public static void main(String[] args) throws IOException {
        CommandLine tree = Qcow2Command.commandTree();
        Path completion = Path.of(args[0]);
        Files.createDirectories(completion.toAbsolutePath().getParent());
        Files.writeString(completion, AutoComplete.bash("qcow2", tree), StandardCharsets.UTF_8);
        Path manPages = Files.createDirectories(Path.of(args[1]));
        writeManPages(tree, manPages);
    }

    /** One page per command, named as man names them ({@code qcow2}, {@code qcow2-convert}); help has none. */
    private static void writeManPages(CommandLine command, Path directory) throws IOException {
        CommandSpec spec = command.getCommandSpec();
        if (spec.userObject() instanceof CommandLine.HelpCommand || spec.usageMessage().hidden()) {
            return;
        }
        String name = spec.qualifiedName("-");
        try (Writer file = Files.newBufferedWriter(directory.resolve(name + ".adoc"), StandardCharsets.UTF_8);
                PrintWriter page = new PrintWriter(file)) {
            ManPageGenerator.writeSingleManPage(page, spec);
        }
        for (CommandLine subcommand : command.getSubcommands().values()) {
            writeManPages(subcommand, directory);
        }
    }
}
