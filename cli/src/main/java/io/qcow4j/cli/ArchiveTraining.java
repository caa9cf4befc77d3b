package io.qcow4j.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The run whose classes {@code bin/qcow2}'s class-data archive holds: once per JDK and jar, under
 * {@code -XX:DumpLoadedClassList}, it runs each command on the bundled sample with its output discarded. The archive
 * is a static one because only those hold picocli's classes, which are too old (Java 5) for a dynamic archive; and
 * training every command, not just one, lets {@code convert} start as fast as {@code info}.
 *
 * <p>Usage: {@code java -cp qcow2.jar io.qcow4j.cli.ArchiveTraining SAMPLE.qcow2}; exit status 1 when a
 * command failed, so that no archive is made from a run that missed classes.
 */
final class ArchiveTraining {

    private ArchiveTraining() {
    }

    public static void main(String[] args) throws IOException {
        String sample = args[0];
        Path scratch = Files.createTempDirectory("qcow2-archive-training");
        String target = scratch.resolve("sample.raw").toString();
        List<String[]> commands = List.of(new String[] {"--version"}, new String[] {"--help"},
                new String[] {"help", "convert"}, new String[] {"info", sample},
                new String[] {"info", "--output=json", "--backing-chain", sample}, new String[] {"map", sample},
                new String[] {"map", "--output=json", sample}, new String[] {"read", "--length", "1M", sample},
                new String[] {"convert", "-p", sample, target});
        boolean failed = false;
        try {
            for (String[] command : commands) {
                failed |= run(command) != 0;
            }
            // and a mistyped command line, for the classes of its error message
            failed |= run("info", "--frob") != Failures.USAGE;
        } finally {
            Files.deleteIfExists(Path.of(target));
            Files.delete(scratch);
        }
        System.exit(failed ? 1 : 0);
    }

    private static int run(String... command) {
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
        return Qcow2Command.run(new Streams(OutputStream.nullOutputStream(), discard, false), command);
    }
}
