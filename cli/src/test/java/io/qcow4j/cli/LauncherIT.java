package io.qcow4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.testing.Qemu;

/**
 * The launchers as a user runs them, in real processes. An integration test (run after {@code package}, see the
 * pom): it needs {@code cli/target/qcow2.jar}.
 */
class LauncherIT {

    static final Path LAUNCHER = Cli.ROOT.resolve("bin/qcow2");
    static final Path JAR = Cli.ROOT.resolve("cli/target/qcow2.jar");
    /**
     * The launcher's cache (class-data archive, native libraries) for the tests that do not look at it: one for the
     * build, so that the archive is made once, and none in the user's home.
     */
    static final Path CACHE = Cli.ROOT.resolve("cli/target/launcher-cache");
    /** What {@code qcow2 --version} prints: the version the build gives the jar (see the pom). */
    static final String VERSION_LINE = "qcow2 (qcow4j) " + System.getProperty("qcow4j.version") + "\n";

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    @Test
    void runsFromAnyDirectory() throws Exception {
        Run info = run(dir, Map.of(), LAUNCHER.toString(), "info", "--output=json", Cli.SAMPLE.toString());
        assertThat(info.exit()).as(info.err()).isZero();
        assertThat(info.out()).contains("\"format\": \"qcow2\"", "\"backing-filename\": \"base.qcow2\"");
        assertThat(info.err()).isEmpty();

        Run read = run(dir, Map.of(), LAUNCHER.toString(), "read", "--length", "18", Cli.SAMPLE.toString());
        assertThat(read.out()).isEqualTo("qcow4j sample disk");

        Run missing = run(dir, Map.of(), LAUNCHER.toString(), "info", "disk.qcow2");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("qcow2: disk.qcow2: No such file or directory\n");

        Run usage = run(dir, Map.of(), LAUNCHER.toString(), "info");
        assertThat(usage.exit()).isEqualTo(2);

        Run mountHelp = run(dir, Map.of(), Cli.ROOT.resolve("bin/mount-qcow2").toString(), "--help");
        assertThat(mountHelp.exit()).isZero();
        assertThat(mountHelp.out()).startsWith("Usage: qcow2 mount ");
    }

    @Test
    void findsItsJarHoweverItIsNamed() throws Exception {
        // the launcher works out where it is without readlink unless it is a link: every way of naming it
        Path bin = LAUNCHER.getParent();
        Path link = Files.createSymbolicLink(dir.resolve("qcow2-link"), LAUNCHER);
        Map<Path, List<String>> namings = new LinkedHashMap<>();
        namings.put(bin, List.of("./qcow2"));
        namings.put(bin.getParent(), List.of("bin/qcow2"));
        namings.put(bin.getParent().getParent(), List.of(bin.getParent().getFileName() + "/bin/../bin/./qcow2"));
        namings.put(dir, List.of(link.toString()));
        namings.put(Path.of("/"), List.of("sh", "-c", "qcow2 --version"));
        for (Map.Entry<Path, List<String>> naming : namings.entrySet()) {
            List<String> command = new ArrayList<>(naming.getValue());
            if (!command.get(0).equals("sh")) {
                command.add("--version");
            }
            Run run = run(naming.getKey(), Map.of("PATH", bin + ":" + System.getenv("PATH")),
                    command.toArray(String[]::new));
            assertThat(run.err()).as("%s in %s", command, naming.getKey()).isEmpty();
            assertThat(run.out()).as("%s in %s", command, naming.getKey()).isEqualTo(VERSION_LINE);
        }
    }

    /**
     * QEMU takes a backing name with a protocol prefix ({@code file:NAME}, {@code json:} options) as it is, so a
     * relative one names a file in the current directory, not next to the overlay: both tools, run from a directory
     * holding a base image of its own, read that one.
     */
    @Test
    void opensARelativeBackingNameWithAProtocolPrefixFromTheCurrentDirectoryAsQemuDoes() throws Exception {
        Qemu.require("qemu-img");
        Path images = Files.createDirectories(dir.resolve("images"));
        Path here = Files.createDirectories(dir.resolve("here"));
        Qemu.io(Qemu.createQcow2(images.resolve("base.qcow2"), "1M"), "qcow2", "write -P 0xaa 0 1M");
        Qemu.io(Qemu.createQcow2(here.resolve("base.qcow2"), "1M"), "qcow2", "write -P 0xee 0 1M");
        byte[] hereBase = new byte[1 << 20];
        Arrays.fill(hereBase, (byte) 0xee);
        List<String> names = List.of("file:base.qcow2",
                "json:{\"driver\": \"qcow2\", \"file\": {\"driver\": \"file\", \"filename\": \"base.qcow2\"}}");
        for (int i = 0; i < names.size(); i++) {
            Path overlay = images.resolve("overlay" + i + ".qcow2");
            Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-u", "-b", names.get(i), "-F",
                    "qcow2", overlay.toString(), "1M");
            String relative = "../images/" + overlay.getFileName();
            Run write = run(here, Map.of(), "qemu-io", "-c", "write -P 0x11 0 4k", relative);
            assertThat(write.exit()).as(write.err()).isZero();
            Run qemu = run(here, Map.of(), "qemu-img", "convert", "-O", "raw", relative, "qemu" + i + ".raw");
            Run ours = run(here, Map.of(), LAUNCHER.toString(), "convert", relative, "ours" + i + ".raw");
            assertThat(qemu.exit()).as(qemu.err()).isZero();
            assertThat(ours.exit()).as(ours.err()).isZero();
            byte[] read = Files.readAllBytes(here.resolve("ours" + i + ".raw"));
            assertThat(read).as(names.get(i)).isEqualTo(Files.readAllBytes(here.resolve("qemu" + i + ".raw")));
            assertThat(Arrays.copyOfRange(read, 4096, read.length))
                    .isEqualTo(Arrays.copyOfRange(hereBase, 4096, hereBase.length));

            Run qemuMap = run(here, Map.of(), "qemu-img", "map", relative);
            Run ourMap = run(here, Map.of(), LAUNCHER.toString(), "map", relative);
            assertThat(ourMap.out()).as(names.get(i)).isEqualTo(qemuMap.out()).contains(" base.qcow2\n");
        }
    }

    /**
     * qemu-img create, run elsewhere than the image's directory, puts a relative external data file in its current
     * directory and writes the name as given, and qemu-img opens it from there: so do we.
     */
    @Test
    void opensARelativeDataFileNameFromTheCurrentDirectoryAsQemuDoes() throws Exception {
        Qemu.require("qemu-img");
        Path images = Files.createDirectories(dir.resolve("images"));
        Path here = Files.createDirectories(dir.resolve("here"));
        Run create = run(here, Map.of(), "qemu-img", "create", "-q", "-f", "qcow2", "-o", "data_file=disk.data",
                "../images/disk.qcow2", "1M");
        assertThat(create.exit()).as(create.err()).isZero();
        Run write = run(here, Map.of(), "qemu-io", "-c", "write -P 0x3c 64k 64k", "../images/disk.qcow2");
        assertThat(write.exit()).as(write.err()).isZero();
        assertThat(here.resolve("disk.data")).exists();
        assertThat(images.resolve("disk.data")).doesNotExist();

        Run qemu = run(here, Map.of(), "qemu-img", "convert", "-O", "raw", "../images/disk.qcow2", "qemu.raw");
        Run ours = run(here, Map.of(), LAUNCHER.toString(), "convert", "../images/disk.qcow2", "ours.raw");
        assertThat(qemu.exit()).as(qemu.err()).isZero();
        assertThat(ours.exit()).as(ours.err()).isZero();
        byte[] read = Files.readAllBytes(here.resolve("ours.raw"));
        assertThat(read).isEqualTo(Files.readAllBytes(here.resolve("qemu.raw")));
        assertThat(read[64 << 10]).isEqualTo((byte) 0x3c);
        assertThat(run(here, Map.of(), LAUNCHER.toString(), "map", "../images/disk.qcow2").out())
                .isEqualTo(run(here, Map.of(), "qemu-img", "map", "../images/disk.qcow2").out())
                .contains(" disk.data\n");
    }

    @Test
    void opensUtf8FileNamesInTheCLocale() throws Exception {
        // in the C locale the JDK encodes file names in ASCII; the launcher runs it in C.UTF-8 instead
        Path disk = Files.writeString(dir.resolve("d\u00efsk-\u65e5\u672c.raw"), "hello, disk");
        Run read = run(dir, Map.of("LC_ALL", "C", "LANG", "C"), LAUNCHER.toString(), "read", "--length", "11",
                disk.toString());
        assertThat(read.exit()).as(read.err()).isZero();
        assertThat(read.out()).isEqualTo("hello, disk");
    }

    @Test
    void buildsTheJarOnFirstUseWithItsOutputOnStandardError() throws Exception {
        // a copy of the repository's launcher, reached through a symbolic link, with a Maven that records its call
        Path root = Files.createDirectories(dir.resolve("checkout"));
        Path bin = Files.createDirectories(root.resolve("bin"));
        Files.copy(LAUNCHER, bin.resolve("qcow2"));
        Files.copy(Cli.ROOT.resolve("pom.xml"), root.resolve("pom.xml"));
        Path link = Files.createSymbolicLink(dir.resolve("q"), bin.resolve("qcow2"));
        Path calls = dir.resolve("mvn-calls");
        Path fakeBin = Files.createDirectories(dir.resolve("fake-bin"));
        script(fakeBin.resolve("mvn"), "echo \"$PWD $*\" >> " + calls + "\n"
                + "echo 'noise from the build'\n"
                + "mkdir -p cli/target && cp " + JAR + " cli/target/qcow2.jar\n");
        Map<String, String> env = Map.of("PATH", fakeBin + File.pathSeparator + System.getenv("PATH"));

        Run first = run(dir, env, link.toString(), "--version");
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).isEqualTo(VERSION_LINE);
        assertThat(first.err()).contains("building", "noise from the build");
        assertThat(Files.readString(calls))
                .isEqualTo(root.toRealPath() + " -B -q -Dstyle.color=never -DskipTests package\n");

        Run second = run(dir, env, link.toString(), "--version");
        assertThat(second.err()).isEmpty();
        assertThat(Files.readAllLines(calls)).hasSize(1);
    }

    @Test
    void saysWhatIsMissingWhenItIsNeitherInACloneNorInADistribution() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("elsewhere/bin"));
        Files.copy(LAUNCHER, bin.resolve("qcow2"));
        Path calls = dir.resolve("mvn-calls");
        Path fakeBin = Files.createDirectories(dir.resolve("fake-bin"));
        script(fakeBin.resolve("mvn"), "echo \"$*\" >> " + calls + "\n");

        Run run = run(dir, Map.of("PATH", fakeBin + File.pathSeparator + System.getenv("PATH")),
                bin.resolve("qcow2").toString(), "--version");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("qcow2: " + bin.getParent().toRealPath()
                + "/lib/qcow2.jar is missing: unpack the whole qcow4j archive, bin/ and lib/ side by side\n");
        assertThat(calls).doesNotExist();
    }

    @Test
    void respectsJavaHomeAndJavaOptions() throws Exception {
        Path javaHome = Files.createDirectories(dir.resolve("jdk/bin"));
        Path args = dir.resolve("java-args");
        String realJava = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        script(javaHome.resolve("java"), "echo \"$*\" >> " + args + "\nexec " + realJava + " \"$@\"\n");
        // a checkout and a cache of its own: the class-data archive is per JDK, and this one is new each time
        Path root = checkout(dir.resolve("checkout"));
        Path cache = dir.resolve("cache");
        Run run = run(dir, Map.of("JAVA_HOME", javaHome.getParent().toString(), "XDG_CACHE_HOME", cache.toString(),
                "QCOW4J_JAVA_OPTS", "-Dqcow4j.probe=1 -Xmx256m"), root.resolve("bin/qcow2").toString(), "--version");
        assertThat(run.exit()).as(run.err()).isZero();
        // the launcher's own options (native access, class-data sharing) come first, then the user's; the JVMs
        // before it made the archive
        List<String> calls = Files.readAllLines(args);
        Path natives = onlyNatives(cache.resolve("qcow4j"));
        String last = calls.get(calls.size() - 1);
        if (Runtime.version().feature() >= 22) {
            assertThat(last).startsWith("--enable-native-access=ALL-UNNAMED ");
        } else {
            // where the option means nothing it is left out: it would cost the archived module graph
            assertThat(last).doesNotContain("--enable-native-access");
        }
        assertThat(last).contains("-Djffi.boot.library.path=" + natives + " ",
                        " -DZstdNativePath=" + natives.resolve("libzstd-jni-"),
                        " -XX:SharedArchiveFile=" + cache.resolve("qcow4j/qcow2-"))
                .endsWith(" -Dqcow4j.probe=1 -Xmx256m -jar " + root.resolve("cli/target/qcow2.jar")
                        + " --version");
    }

    @Test
    void makesItsClassDataArchiveOnceAndAgainWhenTheJarChanges() throws Exception {
        // a checkout and a cache of their own, so that the archives are this test's; -Xshare:on fails when the
        // archive is unusable. No XDG_CACHE_HOME: the cache is the user's, in HOME.
        Path root = checkout(dir.resolve("checkout"));
        Path jar = root.resolve("cli/target/qcow2.jar");
        Path target = dir.resolve("home/.cache/qcow4j");
        String launcher = root.resolve("bin/qcow2").toString();
        Map<String, String> strict = Map.of("QCOW4J_JAVA_OPTS", "-Xshare:on", "HOME", dir.resolve("home").toString(),
                "XDG_CACHE_HOME", "");

        Run first = run(dir, strict, launcher, "info", "--output=json", Cli.SAMPLE.toString());
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).contains("\"format\": \"qcow2\"");
        assertThat(first.err()).isEmpty();
        Path archive = onlyArchive(target);
        FileTime made = Files.getLastModifiedTime(archive);
        // the jar's native libraries for this machine, copied out whole, so they load without a temporary copy
        Path natives = onlyNatives(target);
        try (ZipFile zip = new ZipFile(jar.toFile()); Stream<Path> copies = Files.list(natives)) {
            List<Path> libraries = copies.sorted().toList();
            assertThat(libraries).extracting(file -> file.getFileName().toString())
                    .satisfiesExactly(jffi -> assertThat(jffi).matches("libjffi-[0-9.]+\\.so"),
                            zstd -> assertThat(zstd).matches("libzstd-jni-[0-9.-]+\\.so"));
            assertThat(libraries.get(0)).hasBinaryContent(zip.getInputStream(zip.getEntry("jni/x86_64-Linux/"
                    + libraries.get(0).getFileName())).readAllBytes());
            assertThat(libraries.get(1)).hasBinaryContent(zip.getInputStream(zip.getEntry("linux/amd64/"
                    + libraries.get(1).getFileName())).readAllBytes());
        }
        // the sample is a zstd overlay on a deflate base: both libraries load from there and read it
        Path raw = dir.resolve("sample.raw");
        Run convert = run(dir, strict, launcher, "convert", Cli.SAMPLE.toString(), raw.toString());
        assertThat(convert.exit()).as(convert.err()).isZero();
        assertThat(raw).hasBinaryContent(guestBytes(Cli.SAMPLE));

        // the archive is used whole: with the module graph the JDK archives (which some options turn off)
        Path cdsLog = dir.resolve("cds.log");
        Run logged = run(dir, Map.of("QCOW4J_JAVA_OPTS", "-Xshare:on -Xlog:cds=info:file=" + cdsLog,
                "HOME", dir.resolve("home").toString(), "XDG_CACHE_HOME", ""), launcher, "--version");
        assertThat(logged.exit()).as(logged.err()).isZero();
        if (Runtime.version().feature() < 22) {
            assertThat(Files.readString(cdsLog)).contains("full module graph: enabled");
        }

        Run again = run(dir, strict, launcher, "--version");
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(onlyArchive(target)).isEqualTo(archive);
        assertThat(Files.getLastModifiedTime(archive)).isEqualTo(made);

        // a rebuilt jar: the JVM refuses the archive made from the old one, so the launcher must make another
        Instant now = Instant.now();
        Files.setLastModifiedTime(archive, FileTime.from(now.minusSeconds(600)));
        Files.setLastModifiedTime(jar, FileTime.from(now.minusSeconds(300)));
        Run rebuilt = run(dir, strict, launcher, "--version");
        assertThat(rebuilt.exit()).as(rebuilt.err()).isZero();
        assertThat(rebuilt.out()).isEqualTo(VERSION_LINE);
        assertThat(rebuilt.err()).isEmpty();
        assertThat(onlyArchive(target)).isEqualTo(archive);
        assertThat(Files.getLastModifiedTime(archive).toInstant()).isAfter(now.minusSeconds(300));
        assertThat(Files.getLastModifiedTime(onlyNatives(target)).toInstant()).isAfter(now.minusSeconds(300));
        try (Stream<Path> files = Files.list(target)) {
            // no class list, half-made archive or partial library left behind
            assertThat(files.map(file -> file.getFileName().toString())).containsExactlyInAnyOrder(
                    archive.getFileName().toString(), natives.getFileName().toString());
        }
        try (Stream<Path> files = Files.list(jar.getParent())) {
            // and nothing beside the jar
            assertThat(files.map(file -> file.getFileName().toString())).containsExactly("qcow2.jar");
        }
        try (Stream<Path> copies = Files.list(natives)) {
            assertThat(copies.map(file -> file.getFileName().toString())).allMatch(name -> name.endsWith(".so"));
        }

        // a moved checkout: the archive names the jar's old path, so the JVM would refuse it too
        Path moved = Files.move(root, dir.resolve("moved"));
        Run elsewhere = run(dir, strict, moved.resolve("bin/qcow2").toString(), "--version");
        assertThat(elsewhere.exit()).as(elsewhere.err()).isZero();
        assertThat(elsewhere.out()).isEqualTo(VERSION_LINE);
    }

    @Test
    void runsWithoutACacheWhereItCannotKeepOne() throws Exception {
        Path root = checkout(dir.resolve("checkout"));
        // a file where the cache directory would be: it cannot be made
        Path notADirectory = Files.writeString(dir.resolve("cache"), "");
        Path home = Files.createDirectories(dir.resolve("home"));
        for (Map<String, String> env : List.of(Map.of("XDG_CACHE_HOME", notADirectory.toString()),
                Map.of("XDG_CACHE_HOME", "relative/cache", "HOME", notADirectory.toString()))) {
            Run info = run(home, env, root.resolve("bin/qcow2").toString(), "info", "--output=json",
                    Cli.SAMPLE.toString());
            assertThat(info.exit()).as(info.err()).isZero();
            assertThat(info.out()).contains("\"format\": \"qcow2\"");
            assertThat(info.err()).isEmpty();
        }
        assertThat(notADirectory).isEmptyFile();
        assertThat(home).isEmptyDirectory();
        try (Stream<Path> files = Files.list(root.resolve("cli/target"))) {
            assertThat(files.map(file -> file.getFileName().toString())).containsExactly("qcow2.jar");
        }
    }

    /**
     * A copy of the launcher, the jar, the sample (from which the launcher makes its class-data archive) and the root
     * pom (by which the launcher knows a clone).
     */
    private static Path checkout(Path root) throws Exception {
        Files.createDirectories(root.resolve("bin"));
        Files.copy(Cli.ROOT.resolve("pom.xml"), root.resolve("pom.xml"));
        Files.copy(LAUNCHER, root.resolve("bin/qcow2"));
        Files.copy(JAR, Files.createDirectories(root.resolve("cli/target")).resolve("qcow2.jar"));
        Files.createDirectories(root.resolve("sample"));
        Files.copy(Cli.SAMPLE, root.resolve("sample/sample.qcow2"));
        Files.copy(Cli.SAMPLE_BASE, root.resolve("sample/base.qcow2"));
        return root;
    }

    private static Path onlyArchive(Path target) throws Exception {
        try (Stream<Path> files = Files.list(target)) {
            List<Path> archives = files.filter(file -> file.getFileName().toString().endsWith(".jsa")).toList();
            assertThat(archives).hasSize(1);
            return archives.get(0);
        }
    }

    /** What the library, in this process, reads from the image: the reference for the launched commands. */
    static byte[] guestBytes(Path path) throws Exception {
        try (Image image = Images.open(path)) {
            ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(image.size()));
            image.readFully(bytes, 0);
            return bytes.array();
        }
    }

    private static Path onlyNatives(Path target) throws Exception {
        try (Stream<Path> files = Files.list(target)) {
            List<Path> natives = files.filter(file -> file.getFileName().toString().endsWith("-native")).toList();
            assertThat(natives).hasSize(1);
            return natives.get(0);
        }
    }

    private static void script(Path path, String body) throws Exception {
        Files.writeString(path, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    static Run run(Path workingDir, Map<String, String> env, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(List.of(command)).directory(workingDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("XDG_CACHE_HOME", CACHE.toString());
        builder.environment().putAll(env);
        Process process = builder.start();
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + List.of(command));
        }
        return new Run(process.exitValue(), out.join(), err.join());
    }

    private static CompletableFuture<String> drain(java.io.InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }
}
