package io.qcow4j.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The archives the build made, unpacked as a user would, and the processes the tests run from them. */
final class Unpacked {

    /** The repository's root: the distribution module's parent. */
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    static final Path SAMPLE = ROOT.resolve("sample/sample.qcow2");
    static final Path SAMPLE_BASE = ROOT.resolve("sample/base.qcow2");
    static final String VERSION = System.getProperty("qcow4j.version");
    static final Path ARCHIVES = Path.of(System.getProperty("qcow4j.archives"));
    static final Path TAR_GZ = ARCHIVES.resolve("qcow4j-" + VERSION + ".tar.gz");
    static final Path ZIP = ARCHIVES.resolve("qcow4j-" + VERSION + ".zip");

    record Run(int exit, String out, String err) {
    }

    private Unpacked() {
    }

    /** Unpacks the tar.gz into {@code into} with tar, and returns the directory it made: qcow4j-VERSION. */
    static Path tarGz(Path into) throws Exception {
        Run tar = run(into, Map.of(), "tar", "xzf", TAR_GZ.toString());
        assertThat(tar.exit()).as(tar.err()).isZero();
        return into.resolve("qcow4j-" + VERSION);
    }

    /** Every file and directory under {@code root}, relative to it, sorted. */
    static List<String> files(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.filter(path -> !path.equals(root)).map(path -> root.relativize(path).toString()
                    + (Files.isDirectory(path) ? "/" : "")).sorted().toList();
        }
    }

    /** Runs a command with standard input from /dev/null, and the environment changed by {@code env}. */
    static Run run(Path workingDir, Map<String, String> env, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(List.of(command)).directory(workingDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(env);
        Process process = builder.start();
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + List.of(command));
        }
        return new Run(process.exitValue(), out.join(), err.join());
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
