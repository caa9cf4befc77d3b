package io.qcow4j.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every third-party project bundled in qcow2.jar is named, at the version bundled, in licenses/THIRD-PARTY.txt,
 * and each licence file it points to is there: a new or updated dependency without its licence fails here.
 */
class ThirdPartyIT {

    /** Bundled jars that record no Maven coordinates inside: named by a class or resource they hold. */
    private static final List<String> WITHOUT_POM_PROPERTIES = List.of(
            "info.picocli:picocli:picocli/CommandLine.class",
            "com.github.serceman:jnr-fuse:ru/serce/jnrfuse/FuseStubFS.class",
            "com.github.luben:zstd-jni:com/github/luben/zstd/Zstd.class",
            "org.ow2.asm:asm:org/objectweb/asm/ClassReader.class",
            "org.ow2.asm:asm-commons:org/objectweb/asm/commons/ClassRemapper.class",
            "org.ow2.asm:asm-analysis:org/objectweb/asm/tree/analysis/Analyzer.class",
            "org.ow2.asm:asm-tree:org/objectweb/asm/tree/ClassNode.class",
            "org.ow2.asm:asm-util:org/objectweb/asm/util/CheckClassAdapter.class",
            "com.github.jnr:jffi:native:jni/x86_64-Linux/libjffi-1.2.so");

    @TempDir
    Path dir;

    @Test
    void everyBundledProjectIsListedWithItsLicence() throws Exception {
        Path unpacked = Unpacked.tarGz(dir);
        String list = Files.readString(unpacked.resolve("licenses/THIRD-PARTY.txt"), StandardCharsets.UTF_8);
        try (ZipFile jar = new ZipFile(unpacked.resolve("lib/qcow2.jar").toFile())) {
            int bundled = 0;
            for (ZipEntry entry : Collections.list(jar.entries())) {
                if (entry.getName().startsWith("META-INF/maven/") && entry.getName().endsWith("/pom.properties")) {
                    Properties properties = new Properties();
                    properties.load(jar.getInputStream(entry));
                    if (!"io.qcow4j".equals(properties.getProperty("groupId"))) {
                        assertThat(list).as(entry.getName()).contains(properties.getProperty("groupId") + ":"
                                + properties.getProperty("artifactId") + " " + properties.getProperty("version"));
                        bundled++;
                    }
                }
            }
            assertThat(bundled).isGreaterThan(5);
            for (String known : WITHOUT_POM_PROPERTIES) {
                String held = known.substring(known.lastIndexOf(':') + 1);
                String artifact = known.substring(0, known.lastIndexOf(':'));
                assertThat(jar.getEntry(held)).as(held).isNotNull();
                assertThat(list).contains(artifact.replace(":native", ""));
            }
            // the jar itself carries the same files
            assertThat(new String(jar.getInputStream(jar.getEntry("META-INF/third-party/THIRD-PARTY.txt"))
                    .readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(list);
            assertThat(jar.getEntry("META-INF/LICENSE")).isNotNull();
        }
        Matcher files = Pattern.compile("LICENSE-[a-z0-9-]+\\.txt").matcher(list);
        int named = 0;
        while (files.find()) {
            assertThat(unpacked.resolve("licenses").resolve(files.group())).isNotEmptyFile();
            named++;
        }
        assertThat(named).isEqualTo(4);
    }
}
