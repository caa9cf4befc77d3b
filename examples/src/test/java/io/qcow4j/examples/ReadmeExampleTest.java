package io.qcow4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.testing.Qemu;

/** The README's Java example compiles and does what it says, on an image qemu-img made. */
class ReadmeExampleTest {

    private static final Path README = Path.of("").toAbsolutePath().getParent().resolve("README.md");
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL);

    @TempDir
    Path dir;

    @Test
    void theReadmesApiExampleCompilesAndConverts() throws Exception {
        Qemu.require("qemu-img");
        Matcher block = JAVA_BLOCK.matcher(Files.readString(README));
        assertThat(block.find()).as("a ```java block in the README").isTrue();
        Path source = Files.writeString(dir.resolve("ReadmeExample.java"), """
                import java.nio.ByteBuffer;
                import java.nio.file.Path;

                import io.qcow4j.FilePolicy;
                import io.qcow4j.Image;
                import io.qcow4j.Images;
                import io.qcow4j.OpenOptions;
                import io.qcow4j.convert.ConvertOptions;
                import io.qcow4j.convert.Converter;

                public class ReadmeExample {
                    public static void main(String[] args) throws Exception {
                """ + block.group(1) + """
                    }
                }
                """);
        String classPath = System.getProperty("java.class.path");
        assertThat(ToolProvider.getSystemJavaCompiler().run(null, null, null, "-cp", classPath, "-d",
                dir.toString(), source.toString())).as("javac's exit status").isZero();

        Path upload = Qemu.createQcow2(dir.resolve("upload.qcow2"), "1M");
        Qemu.io(upload, "qcow2", "write -P 0x71 64k 64k");
        Process java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                dir + File.pathSeparator + classPath, "ReadmeExample").directory(dir.toFile())
                .redirectErrorStream(true).start();
        String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(java.exitValue()).as(output).isZero();
        assertThat(output).contains("BlockStatus[offset=65536, length=65536, allocation=DATA");
        assertThat(Files.mismatch(dir.resolve("upload.raw"), Qemu.toRaw(upload, dir.resolve("expected.raw"))))
                .isEqualTo(-1);
    }
}
