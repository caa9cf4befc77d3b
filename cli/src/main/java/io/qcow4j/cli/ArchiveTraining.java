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
 * training every command (conversions to raw and to qcow2, compressed both ways, {@code create}, {@code measure}), not
 * just one, lets each start as fast as {@code info}.
 *
 * <p>Usage: {@code java -cp qcow2.jar io.qcow4j.cli.ArchiveTraining SAMPLE.qcow2}; exit status 1 when a
 * command failed, so that no archive is made from a run that missed classes.
 */
final class ArchiveTraining {

    private ArchiveTraining() {
    }

    public static void main(String[] args) throws IOException {
        Qcow2Command.preferUsNumberFormats();
        String sample = args[0];
        Path scratch = Files.createTempDirectory("qcow2-archive-training");
        String target = scratch.resolve("sample.raw").toString();
        String qcow2 = scratch.resolve("sample.qcow2").toString();
        List<String[]> commands = List.of(new String[] {"--version"}, new String[] {"--help"},
                new String[] {"help", "convert"}, new String[] {"info", sample},
                new String[] {"info", "--output=json", "--backing-chain", sample}, new String[] {"map", sample},
                new String[] {"map", "--output=json", sample}, new String[] {"read", "--length", "1M", sample},
                new String[] {"convert", "-p", sample, target},
                new String[] {"convert", "-O", "qcow2", sample, qcow2},
                new String[] {"convert", "-c", "-O", "qcow2", sample, qcow2},
                new String[] {"convert", "-c", "-O", "qcow2", "-o", "compression_type=zstd", sample, qcow2},
                // the backing name absolute: a relative one would be taken relative to the scratch directory
                new String[] {"create", "-f", "qcow2", "-b", Path.of(sample).toAbsolutePath().toString(), "-F",
                        "qcow2", qcow2},
                new String[] {"measure", "-O", "qcow2", "--output=json", sample},
                new String[] {"measure", "--size", "1G"});
        boolean failed = false;
        try {
            for (String[] command : commands) {
                failed |= run(command) != 0;
            }
            // and a mistyped command line, for the classes of its error message
            failed |= run("info", "--frob") != Failures.USAGE;
        } finally {
            Files.deleteIfExists(Path.of(target));
            Files.deleteIfExists(Path.of(qcow2));
            Files.delete(scratch);
        }
        System.exit(failed ? 1 : 0);
    }

    private static int run(String... command) {
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
        return Qcow2Command.run(new Streams(OutputStream.nullOutputStream(), discard, false), command);
    }
}
