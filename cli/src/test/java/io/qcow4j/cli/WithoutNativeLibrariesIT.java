package io.qcow4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.cli.LauncherIT.Run;

/**
 * The jar where a native library cannot load, as where {@code java.io.tmpdir} is mounted {@code noexec}: one line
 * that says why and what to do where the library is needed, the slower way where there is one; never an Error.
 */
class WithoutNativeLibrariesIT {

    @TempDir
    Path dir;

    @Test
    void readingAZstdImageWithoutZstdJnisLibrarySaysWhyAndWhatToDo() throws Exception {
        Path missing = dir.resolve("libzstd-jni.so");
        Run read = java(List.of("-DZstdNativePath=" + missing), "read", "--length", "18", Cli.SAMPLE.toString());
        assertThat(read.exit()).isEqualTo(1);
        assertThat(read.out()).isEmpty();
        assertThat(read.err()).startsWith("qcow2: " + Cli.SAMPLE + ": zstd-compressed clusters need zstd-jni's native"
                        + " library, which could not be loaded (java.lang.UnsatisfiedLinkError: ")
                .endsWith("): -DZstdNativePath=" + missing + " must name zstd-jni's library for this machine\n")
                .doesNotContain("internal error").hasLineCount(1);

        // what needs no decompression still works
        Run info = java(List.of("-DZstdNativePath=" + missing), "info", Cli.SAMPLE.toString());
        assertThat(info.exit()).as(info.err()).isZero();
        assertThat(info.out()).contains("compression type: zstd");
    }

    @Test
    void withoutJffiConvertWritesZerosWhereItWouldPunchHolesAndInfoCountsTheFileLength() throws Exception {
        List<String> noJffi = List.of("-Djffi.boot.library.path=" + dir.resolve("no-stub"),
                "-Djffi.extract.dir=" + dir.resolve("no-such-directory"));
        Path existing = dir.resolve("existing.raw");
        byte[] ones = new byte[64 << 20];
        Arrays.fill(ones, (byte) 0xff);
        Files.write(existing, ones);
        Run convert = java(noJffi, "convert", "-n", Cli.SAMPLE.toString(), existing.toString());
        assertThat(convert.exit()).as(convert.err()).isZero();
        assertThat(convert.err()).isEmpty();
        assertThat(existing).hasBinaryContent(LauncherIT.guestBytes(Cli.SAMPLE));

        // a sparse file: du would count one block, the length is what is left to count
        Path sparse = dir.resolve("sparse.raw");
        try (FileChannel file = FileChannel.open(sparse, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            file.write(ByteBuffer.wrap(new byte[] {1}), (8 << 20) - 1);
        }
        Run info = java(noJffi, "info", "--output=json", sparse.toString());
        assertThat(info.exit()).as(info.err()).isZero();
        assertThat(info.out()).contains("\"actual-size\": " + (8 << 20) + ",");
        Run withJffi = java(List.of(), "info", "--output=json", sparse.toString());
        assertThat(withJffi.out()).doesNotContain("\"actual-size\": " + (8 << 20) + ",");
    }

    private Run java(List<String> options, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options);
        command.addAll(List.of("-jar", LauncherIT.JAR.toString()));
        command.addAll(List.of(args));
        return LauncherIT.run(dir, Map.of(), command.toArray(String[]::new));
    }
}
