package io.qcow4j.cli;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.qcow4j.fuse.MountException;
import io.qcow4j.fuse.RawFileMount;

/**
 * Serves a request from a detached child process and returns once the child says the file is readable (or why it
 * is not). The child is this same JVM running the same {@code qcow2 mount} command line in the foreground (see
 * {@link ChildCommandLine}), in its own session (so closing the terminal does not end it) with the root directory as
 * working directory (so it keeps no directory busy); it reports one line on its standard output, a pipe to us, and
 * is never waited for afterwards.
 */
final class BackgroundMount {

    /** How long the child gets to start a JVM, open the image and mount. */
    private static final long READY_TIMEOUT_SECONDS = 60;

    private final MountRequest request;
    private final List<String> childArguments;
    private final PrintStream err;

    /** @param childArguments the child's arguments to {@link Qcow2Command}, from {@link ChildCommandLine} */
    BackgroundMount(MountRequest request, List<String> childArguments, PrintStream err) {
        this.request = request;
        this.childArguments = List.copyOf(childArguments);
        this.err = err;
    }

    int run() {
        try {
            // fail fast, without starting a JVM, on the common mistakes (the command opened the image already)
            RawFileMount.checkMountPoint(request.mountPoint());
        } catch (MountException e) {
            err.println("qcow2: " + e.getMessage());
            return Failures.FAILED;
        }
        // the child's standard error, kept only until it reports: what libfuse says of a mount it refuses
        Path childErrors;
        try {
            childErrors = Files.createTempFile("qcow4j-mount-", ".err");
        } catch (IOException e) {
            err.println("qcow2: cannot start the mount process: " + e.getMessage());
            return Failures.FAILED;
        }
        try {
            return startChild(childErrors);
        } finally {
            try {
                Files.deleteIfExists(childErrors);
            } catch (IOException ignored) {
                // a temporary file left in the temporary directory
            }
        }
    }

    private int startChild(Path childErrors) {
        Process child;
        try {
            child = childCommand(childErrors).start();
        } catch (IOException e) {
            err.println("qcow2: cannot start the mount process: " + e.getMessage());
            return Failures.FAILED;
        }
        String line = awaitReport(child);
        if (ForegroundMount.READY.equals(line)) {
            return 0;
        }
        if (line != null && line.startsWith(ForegroundMount.FAILED)) {
            err.println("qcow2: " + withLibfuseMessage(line.substring(ForegroundMount.FAILED.length()),
                    lines(childErrors)));
        } else if (line == null) {
            err.println("qcow2: the mount process did not report within " + READY_TIMEOUT_SECONDS + " s");
            child.destroyForcibly();
            try {
                RawFileMount.unmount(request.mountPoint());
            } catch (MountException e) {
                err.println("qcow2: " + e.getMessage());
            }
        } else {
            err.println("qcow2: the mount process failed: " + line);
        }
        return Failures.FAILED;
    }

    /**
     * The child's failure with what libfuse wrote to its standard error in place of "its message is above", which
     * the user of a background mount never sees.
     */
    static String withLibfuseMessage(String failure, List<String> childErrors) {
        List<String> said = childErrors.stream().map(String::strip).filter(text -> !text.isEmpty()).toList();
        if (!failure.endsWith(MountException.LIBFUSE_MESSAGE_ABOVE) || said.isEmpty()) {
            return failure;
        }
        return failure.substring(0, failure.length() - MountException.LIBFUSE_MESSAGE_ABOVE.length()) + ": "
                + String.join("; ", said);
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of();
        }
    }

    private ProcessBuilder childCommand(Path childErrors) {
        List<String> command = new ArrayList<>();
        Path setsid = Path.of("/usr/bin/setsid");
        if (Files.isExecutable(setsid)) {
            command.add(setsid.toString());
        }
        command.add(javaExecutable());
        command.addAll(jvmOptions());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Qcow2Command.class.getName());
        command.addAll(childArguments);
        return new ProcessBuilder(command)
                .directory(new File("/"))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.PIPE)
                .redirectError(ProcessBuilder.Redirect.appendTo(childErrors.toFile()));
    }

    /** The memory and property settings this JVM was started with (such as QCOW4J_JAVA_OPTS), for the child. */
    private static List<String> jvmOptions() {
        List<String> options = new ArrayList<>();
        for (String option : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // not agents or debuggers: a second JVM would fight the first for their ports
            if (option.startsWith("-X") && !option.startsWith("-Xdebug") && !option.startsWith("-Xrunjdwp")
                    || option.startsWith("-D") || option.startsWith("--add-opens")
                    || option.startsWith("--enable-native-access")) {
                options.add(option);
            }
        }
        return options;
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** The child's one line, or a description of how it ended without one; null on timeout. */
    private static String awaitReport(Process child) {
        CompletableFuture<String> report = CompletableFuture.supplyAsync(() -> readLine(child));
        try {
            String line = report.get(READY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (line != null) {
                return line;
            }
            // end of output without a line: the child died before reporting
            if (child.waitFor(READY_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                return "exited with code " + child.exitValue() + " before mounting";
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException e) {
            return "its output could not be read: " + e.getCause();
        } catch (TimeoutException e) {
            return null;
        }
    }

    private static String readLine(Process child) {
        try {
            BufferedReader reader = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
            return reader.readLine();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
