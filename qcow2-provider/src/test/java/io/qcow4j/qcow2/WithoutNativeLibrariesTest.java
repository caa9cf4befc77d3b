package io.qcow4j.qcow2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.nativeaccess.DeflateBackend;

/**
 * A native library that cannot load never ends a read in an {@link Error}: zstd-jni's makes reading a zstd cluster
 * an {@link io.qcow4j.UnsupportedFeatureException} that says why and what to do; without jffi's stub (so without
 * libc and libdeflate) the reader does without them. Each case runs {@link #main} in a JVM of its own, since a JVM
 * loads a native library once.
 */
class WithoutNativeLibrariesTest {

    @TempDir
    Path dir;

    /**
     * Opens the image {@code args[0]} and prints its disk size, how many runs its map has, the SHA-256 of its guest
     * bytes and what inflated them; or the class and message of what was thrown on the way.
     */
    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[0]);
        try (Image image = Images.open(path)) {
            System.out.println("disk size: " + image.info().actualSize());
            System.out.println("runs: " + image.map(0, image.size()).size());
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            ByteBuffer whole = ByteBuffer.allocate((int) image.size());
            image.readFully(whole, 0);
            System.out.println("sha256: " + HexFormat.of().formatHex(sha.digest(whole.array())));
            System.out.println("inflater: " + DeflateBackend.name());
        } catch (Throwable e) {
            System.out.println("thrown: " + e.getClass().getName() + ": " + e.getMessage());
        }
    }

    @Test
    void aZstdReadWithoutZstdJnisLibraryIsAnUnsupportedFeatureNamingTheCauseAndTheRemedy() throws Exception {
        Path missing = dir.resolve("libzstd-jni.so");
        Path image = fixture("zstd-512.qcow2");
        String output = run(image, "-DZstdNativePath=" + missing);
        // opening and mapping need no decompression
        assertThat(output).contains("disk size: ", "runs: ").doesNotContain("sha256: ")
                .contains("thrown: io.qcow4j.UnsupportedFeatureException: " + image + ": zstd-compressed clusters"
                        + " need zstd-jni's native library, which could not be loaded (java.lang.UnsatisfiedLinkError: ")
                .contains(missing + "): -DZstdNativePath=" + missing
                        + " must name zstd-jni's library for this machine");
    }

    @Test
    void whereZstdJniCannotExtractItsLibraryTheMessageNamesTheTemporaryDirectory() throws Exception {
        Path noTmp = dir.resolve("no-such-tmp");
        Path image = fixture("zstd-512.qcow2");
        String output = run(image, "-Djava.io.tmpdir=" + noTmp);
        assertThat(output).contains("thrown: io.qcow4j.UnsupportedFeatureException: " + image + ": zstd-compressed"
                + " clusters need zstd-jni's native library, which could not be loaded (")
                .contains("zstd-jni extracts it to java.io.tmpdir (" + noTmp + "), which must allow running"
                        + " programs (not mounted noexec)");
    }

    @Test
    void withoutJffiDeflateClustersAreInflatedByTheJdkAndTheDiskSizeIsTheFileLength() throws Exception {
        Path image = fixture("deflate-4k.qcow2");
        String runs = run(image).lines().filter(line -> line.startsWith("runs: ")).findFirst().orElseThrow();
        String output = run(image, "-Djffi.boot.library.path=" + dir.resolve("no-stub"),
                "-Djffi.extract.dir=" + dir.resolve("no-such-directory"));
        assertThat(output).isEqualTo("disk size: " + Files.size(image) + "\n" + runs + "\nsha256: "
                + "19276741ea103d8eeeae3358475c5040c75c8b0c7111771f2adcd38174a8e5d5\ninflater: jdk\n");
    }

    private static String run(Path image, String... jvmOptions) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                WithoutNativeLibrariesTest.class.getName(), image.toString()));
        Process child = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(child.exitValue()).as(output).isZero();
        return output;
    }

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(WithoutNativeLibrariesTest.class.getResource("/fixtures/" + name).toURI());
    }
}
