package io.qcow4j.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Drives the reference tools ({@code qemu-img}, {@code qemu-io}) from tests.
 */
public final class Qemu {

    private Qemu() {
    }

    /**
     * True in CI, where a missing tool fails the test instead of skipping it.
     *
     * @return whether CI=true
     */
    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /**
     * Whether a test also checks its result with {@code tool}: where it is installed, and always in CI, where a missing
     * tool then fails the check rather than leaving it out.
     *
     * @param tool the command
     */
    public static boolean checksWith(String tool) {
        return onPath(tool) || inCi();
    }

    /**
     * Skips the calling test when {@code tool} is not installed, except in CI, where that fails it.
     *
     * @param tool the command
     */
    public static void require(String tool) {
        boolean present = onPath(tool);
        if (!present && inCi()) {
            fail(tool + " is not installed, and CI=true: .ci/run must install it");
        }
        assumeTrue(present, tool + " is not installed (install qemu-utils); skipping");
    }

    /**
     * Whether {@code tool} is an executable on the PATH.
     *
     * @param tool the command
     * @return whether it is found
     */
    public static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs a command to completion and returns its standard output; fails on a non-zero exit.
     *
     * @param command the command and its arguments
     * @return its standard output
     */
    public static String run(String... command) {
        return run(List.of(command));
    }

    /**
     * Runs a command to completion and returns its standard output; fails on a non-zero exit.
     *
     * @param command the command and its arguments
     * @return its standard output
     */
    public static String run(List<String> command) {
        Finished finished = start(command);
        if (finished.exit() != 0) {
            throw new IllegalStateException("exit " + finished.exit() + " from " + command + ": " + finished.err());
        }
        return finished.out();
    }

    /**
     * Runs a command that must fail (a reference tool refusing a damaged image) and returns its standard error.
     *
     * @param command the command and its arguments
     * @return its standard error
     */
    public static String runForFailure(String... command) {
        Finished finished = start(List.of(command));
        if (finished.exit() == 0) {
            fail("expected " + List.of(command) + " to fail, but it succeeded: " + finished.out());
        }
        return finished.err();
    }

    private record Finished(int exit, String out, String err) {
    }

    private static Finished start(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try {
            Process process = builder.start();
            CompletableFuture<String> err = drain(process.getErrorStream());
            CompletableFuture<String> out = drain(process.getInputStream());
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + command);
            }
            return new Finished(process.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
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

    /**
     * {@code qemu-img create -f qcow2 -o OPTIONS PATH SIZE}; options are joined with commas, may be empty.
     *
     * @param path the image to create
     * @param size its size, as qemu-img takes it ({@code 64M})
     * @param options the {@code -o} options
     * @return {@code path}
     */
    public static Path createQcow2(Path path, String size, String... options) {
        List<String> cmd = new ArrayList<>(List.of("qemu-img", "create", "-q", "-f", "qcow2"));
        if (options.length > 0) {
            cmd.add("-o");
            cmd.add(String.join(",", options));
        }
        cmd.add(path.toString());
        cmd.add(size);
        run(cmd);
        return path;
    }

    /**
     * Runs {@code qemu-io} commands (such as {@code "write -P 0xab 0 64k"}) against an image of the given format.
     *
     * @param image the image
     * @param format its format
     * @param commands the qemu-io commands
     */
    public static void io(Path image, String format, String... commands) {
        List<String> cmd = new ArrayList<>(List.of("qemu-io", "-f", format));
        for (String c : commands) {
            cmd.add("-c");
            cmd.add(c);
        }
        cmd.add(image.toString());
        run(cmd);
    }

    /**
     * {@code qemu-img convert -O raw}: the reference bytes of an image.
     *
     * @param image the image
     * @param raw the raw file to write
     * @param extraArgs more qemu-img arguments, before the file names
     * @return {@code raw}
     */
    public static Path toRaw(Path image, Path raw, String... extraArgs) {
        List<String> cmd = new ArrayList<>(List.of("qemu-img", "convert"));
        cmd.addAll(List.of(extraArgs));
        cmd.addAll(List.of("-O", "raw", image.toString(), raw.toString()));
        run(cmd);
        return raw;
    }

    /**
     * {@code qemu-img convert -O qcow2 [options]} from any source: how compressed images are made.
     *
     * @param source the image
     * @param target the qcow2 file to write
     * @param options more qemu-img arguments
     * @return {@code target}
     */
    public static Path toQcow2(Path source, Path target, List<String> options) {
        List<String> cmd = new ArrayList<>(List.of("qemu-img", "convert", "-O", "qcow2"));
        cmd.addAll(options);
        cmd.add(source.toString());
        cmd.add(target.toString());
        run(cmd);
        return target;
    }
}
