package io.qcow4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.cli.LauncherIT.Run;

/**
 * The short commands generate no class at start-up: no jnr-ffi (whose stubs are classes assembled with ASM at load
 * time), no ASM, and no JDK logging when nothing is logged. The jar runs as a user runs it, with the JVM logging every class it loads; a class from either
 * package in the log is a binding that costs every command its start-up.
 */
class StartupClassesIT {

    private static final Pattern LOADED = Pattern.compile("\\[class,load\\] (\\S+) source: ");

    @TempDir
    Path dir;

    @Test
    void infoReadAndConvertLoadNeitherJnrFfiNorAsm() throws Exception {
        Path existing = dir.resolve("existing.raw");
        try (RandomAccessFile file = new RandomAccessFile(existing.toFile(), "rw")) {
            file.setLength(64 << 20);
        }
        List<List<String>> commands = List.of(
                List.of("info", Cli.SAMPLE.toString()),
                List.of("read", "--length", "18", Cli.SAMPLE.toString()),
                List.of("convert", Cli.SAMPLE.toString(), dir.resolve("new.raw").toString()),
                // into an existing target: holes punched with fallocate, the one libc call convert makes
                List.of("convert", "-n", Cli.SAMPLE.toString(), existing.toString()));
        byte[] guest = LauncherIT.guestBytes(Cli.SAMPLE);
        for (List<String> command : commands) {
            List<String> loaded = classesLoadedBy(command);
            assertThat(loaded).as("classes loaded by %s", command)
                    .contains("io.qcow4j.cli.Qcow2Command")
                    .noneMatch(name -> name.startsWith("org.objectweb.asm.") || name.startsWith("jnr.ffi."))
                    // the library logs nothing here, so the JDK's logging is not started
                    .noneMatch(name -> name.startsWith("java.util.logging."));
        }
        assertThat(dir.resolve("new.raw")).hasBinaryContent(guest);
        assertThat(existing).hasBinaryContent(guest);
        // the call was made, through jffi alone
        assertThat(classesLoadedBy(List.of("convert", "-n", Cli.SAMPLE.toString(), existing.toString())))
                .contains("io.qcow4j.nativeaccess.LibC", "com.kenai.jffi.Invoker");
    }

    @Test
    void theVersionAloneBuildsNoCommandLine() throws Exception {
        assertThat(classesLoadedBy(List.of("--version")))
                .contains("io.qcow4j.cli.Version")
                .doesNotContain("picocli.CommandLine$Model$CommandSpec", "picocli.CommandLine$Interpreter");
    }

    @Test
    void infoOfAnImageWithoutSnapshotsReadsNoTimeZoneRules() throws Exception {
        // the sample has no snapshot, so no date to show: the local zone's rules (milliseconds to read) are not read
        assertThat(classesLoadedBy(List.of("info", Cli.SAMPLE.toString())))
                .contains("io.qcow4j.cli.InfoText")
                .doesNotContain("sun.util.calendar.ZoneInfoFile", "java.time.zone.TzdbZoneRulesProvider");
    }

    @Test
    void inTheCLocaleNothingReadsTheLocaleData() throws Exception {
        // the JVM makes C plain English; jffi's String.format (libc, for the disk size) would look up its digit zero
        assertThat(classesLoadedBy(List.of("info", Cli.SAMPLE.toString()), Map.of("LC_ALL", "C")))
                .contains("io.qcow4j.nativeaccess.LibC")
                .doesNotContain("sun.util.cldr.CLDRLocaleProviderAdapter", "java.text.DecimalFormatSymbols");
    }

    @Test
    void ourClassesConcatenateStringsWithoutInvokedynamic() throws Exception {
        // each new shape of an invokedynamic concatenation spins classes at run time, outside the class-data
        // archive: the build compiles them to StringBuilder calls (-XDstringConcat=inline)
        List<String> spinning = new ArrayList<>();
        try (ZipFile jar = new ZipFile(LauncherIT.JAR.toFile())) {
            for (ZipEntry entry : Collections.list(jar.entries())) {
                if (entry.getName().startsWith("io/qcow4j/") && entry.getName().endsWith(".class")) {
                    String bytes = new String(jar.getInputStream(entry).readAllBytes(), StandardCharsets.ISO_8859_1);
                    if (bytes.contains("makeConcatWithConstants")) {
                        spinning.add(entry.getName());
                    }
                }
            }
        }
        assertThat(spinning).isEmpty();
    }

    /** Runs {@code qcow2 ARGS} from the jar, as {@code java -Xlog:class+load=info -jar}; the classes it loaded. */
    private List<String> classesLoadedBy(List<String> args) throws Exception {
        return classesLoadedBy(args, Map.of());
    }

    private List<String> classesLoadedBy(List<String> args, Map<String, String> environment) throws Exception {
        Path log = Files.createTempFile(dir, "class-load-", ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xlog:class+load=info:file=" + log, "-jar", LauncherIT.JAR.toString()));
        command.addAll(args);
        Run run = LauncherIT.run(dir, environment, command.toArray(String[]::new));
        assertThat(run.exit()).as("%s: %s", args, run.err()).isZero();
        List<String> classes = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            Matcher loaded = LOADED.matcher(line);
            if (loaded.find()) {
                classes.add(loaded.group(1));
            }
        }
        return classes;
    }
}
