package io.qcow4j.nativeaccess;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jffi's stub library unloadable, as where {@code java.io.tmpdir} is mounted {@code noexec}: {@link LibC#get()} says
 * so with null and the reason, and throws nothing. In a JVM of its own, since a JVM loads jffi once.
 */
class WithoutJffiTest {

    @TempDir
    Path dir;

    /** Prints what {@link LibC} answers: run in the child JVM. */
    public static void main(String[] args) {
        System.out.println("libc: " + LibC.get());
        System.out.println("failure: " + LibC.failure());
    }

    @Test
    void libcIsNullWithTheReasonAndNoErrorIsThrown() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // no stub where jffi looks first, and nowhere to extract the jar's copy to
        Process child = new ProcessBuilder(List.of(java.toString(),
                "-Djffi.boot.library.path=" + dir.resolve("no-stub"),
                "-Djffi.extract.dir=" + dir.resolve("no-such-directory"),
                "-cp", System.getProperty("java.class.path"), WithoutJffiTest.class.getName()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(child.exitValue()).as(output).isZero();
        assertThat(output).startsWith("libc: null\nfailure: java.lang.UnsatisfiedLinkError: ");
    }
}
