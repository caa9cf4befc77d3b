package io.qcow4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.testing.Qemu;

/**
 * A program of its own module reads and converts an image with qcow4j on the module path: the modules' descriptors
 * export what a host needs, the providers are found through {@code provides}/{@code uses}, and the native
 * libraries (zstd-jni, libdeflate through jffi) load. The mount (fuse-mount) is class-path only: jnr-fuse and
 * jnr-ffi both hold the package {@code jnr.ffi}, which the module system refuses.
 */
class ModulePathTest {

    private static final Path SAMPLE = Path.of("").toAbsolutePath().getParent().resolve("sample/sample.qcow2");

    /** The modules the program requires; their dependencies are found from the descriptors. */
    private static final List<String> ROOTS = List.of("io.qcow4j.qcow2", "io.qcow4j.convert");
    /** Needed at run time but named by no descriptor: jffi's native stub, inside a jar of its own. */
    private static final List<String> RESOURCE_MODULES = List.of("org.jnrproject.jffi.nativelibs");

    private static final String MODULE_INFO = """
            module demo {
                requires io.qcow4j.convert;
            }
            """;

    private static final String PROGRAM = """
            package demo;

            import java.nio.ByteBuffer;
            import java.nio.charset.StandardCharsets;
            import java.nio.file.Path;

            import io.qcow4j.Image;
            import io.qcow4j.ImageFormats;
            import io.qcow4j.Images;
            import io.qcow4j.convert.ConvertOptions;
            import io.qcow4j.convert.Converter;
            import io.qcow4j.spi.ImageFormatProvider;

            public class Main {
                public static void main(String[] args) throws Exception {
                    System.out.println("module " + Main.class.getModule().getName() + ", qcow4j in "
                            + Image.class.getModule().getName());
                    System.out.println("providers " + ImageFormats.defaults().providers().stream()
                            .map(ImageFormatProvider::name).toList());
                    try (Image image = Images.open(Path.of(args[0]))) {
                        ByteBuffer banner = ByteBuffer.allocate(18);
                        image.readFully(banner, 0);
                        System.out.println(image.format() + " " + image.size() + " "
                                + new String(banner.array(), StandardCharsets.US_ASCII));
                        System.out.println("converted " + Converter.convert(image, Path.of(args[1]),
                                ConvertOptions.defaults()).virtualSize());
                    }
                }
            }
            """;

    @TempDir
    Path dir;

    @Test
    void aModularProgramReadsAndConvertsOnTheModulePath() throws Exception {
        Qemu.require("qemu-img");
        String modulePath = modulePath();
        Path sources = Files.createDirectories(dir.resolve("src/demo"));
        Files.writeString(sources.getParent().resolve("module-info.java"), MODULE_INFO);
        Files.writeString(sources.resolve("Main.java"), PROGRAM);
        Path classes = dir.resolve("classes");
        int compiled = ToolProvider.getSystemJavaCompiler().run(null, null, null, "--module-path", modulePath,
                "-d", classes.toString(), sources.getParent().resolve("module-info.java").toString(),
                sources.resolve("Main.java").toString());
        assertThat(compiled).as("javac's exit status").isZero();

        Path target = dir.resolve("sample.raw");
        Process java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path", classes + File.pathSeparator + modulePath, "-m", "demo/demo.Main",
                SAMPLE.toString(), target.toString()).redirectErrorStream(true).start();
        String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(java.exitValue()).as(output).isZero();
        assertThat(output).isEqualTo("module demo, qcow4j in io.qcow4j\n"
                + "providers [qcow2, raw]\n"
                + "qcow2 67108864 qcow4j sample disk\n"
                + "converted 67108864\n");
        assertThat(Files.mismatch(target, Qemu.toRaw(SAMPLE, dir.resolve("expected.raw")))).isEqualTo(-1);
    }

    /** The entries of this test's class path that hold the roots' modules and what they require, transitively. */
    private static String modulePath() throws IOException {
        Map<String, Path> byModule = new LinkedHashMap<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (Files.exists(path) && !path.endsWith("test-classes")) {
                moduleIn(path).ifPresent(descriptor -> byModule.putIfAbsent(descriptor.name(), path));
            }
        }
        Set<String> needed = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(ROOTS);
        while (!todo.isEmpty()) {
            String name = todo.pop();
            if (needed.add(name) && byModule.containsKey(name)) {
                moduleIn(byModule.get(name)).orElseThrow().requires().stream()
                        .filter(r -> !r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC))
                        .map(ModuleDescriptor.Requires::name)
                        .filter(n -> !n.startsWith("java.") && !n.startsWith("jdk."))
                        .forEach(todo::push);
            }
        }
        needed.addAll(RESOURCE_MODULES);
        assertThat(byModule.keySet()).as("modules on the test class path").containsAll(needed);
        return needed.stream().map(byModule::get).map(Path::toString).distinct()
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static Optional<ModuleDescriptor> moduleIn(Path entry) {
        try (Stream<ModuleReference> found = ModuleFinder.of(entry).findAll().stream()) {
            return found.findFirst().map(ModuleReference::descriptor);
        } catch (RuntimeException e) {
            // not a module a finder can read (a directory of classes without a descriptor, a broken jar)
            return Optional.empty();
        }
    }
}
