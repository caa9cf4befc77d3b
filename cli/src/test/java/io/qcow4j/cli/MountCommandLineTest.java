package io.qcow4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

import io.qcow4j.FilePolicy;
import io.qcow4j.OpenOptions;
import io.qcow4j.fuse.MountOptions;
import io.qcow4j.qcow2.Qcow2Options;

/** What {@code qcow2 mount} makes of its command line, and the command line it gives a background mount's child. */
class MountCommandLineTest {

    /** The parsed {@code mount} subcommand of {@code qcow2 mount ARGS}, not run. */
    private static ParseResult parse(String... args) {
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
        CommandLine line = new CommandLine(new Qcow2Command().model()).addSubcommand(
                Subcommands.model("mount", new Streams(OutputStream.nullOutputStream(), discard, false)));
        List<String> all = new ArrayList<>(List.of("mount"));
        all.addAll(List.of(args));
        return line.parseArgs(all.toArray(String[]::new)).subcommand();
    }

    private static MountCommand command(ParseResult parsed) {
        return (MountCommand) parsed.commandSpec().userObject();
    }

    @Test
    void parsesEveryOption() {
        MountCommand parsed = command(parse("--name", "d.raw", "-f", "--allow-other", "--debug", "--page-cache",
                "--safe", "--format=qcow2", "--l2-cache-size", "32M", "--snapshot", "s1", "img.qcow2", "mnt"));
        MountRequest request = parsed.request();
        assertThat(request.image()).isEqualTo(Path.of("img.qcow2"));
        assertThat(request.mountPoint()).isEqualTo(Path.of("mnt"));
        assertThat(request.openOptions()).isEqualTo(OpenOptions.builder().format("qcow2")
                .filePolicy(FilePolicy.refuseOtherFiles()).set(Qcow2Options.L2_CACHE_SIZE, 32L << 20).snapshot("s1")
                .build());
        assertThat(request.mountOptions()).isEqualTo(MountOptions.builder().fileName("d.raw")
                .allowOther(true).debug(true).pageCache(true).build());
        assertThat(request.foreground()).isTrue();
        assertThat(parsed.reportsReady()).isFalse();
    }

    @Test
    void defaultsNameTheFileAfterTheImage() {
        MountRequest request = command(parse("/images/ubuntu.qcow2", "/mnt")).request();
        assertThat(request.openOptions()).isEqualTo(OpenOptions.defaults());
        assertThat(request.mountOptions()).isEqualTo(MountOptions.defaults());
        assertThat(request.foreground()).isFalse();
        assertThat(request.inForeground()).isFalse();
        assertThat(request.fileName()).isEqualTo("ubuntu.raw");
    }

    @Test
    void theChildsCommandLineParsesBackToTheSameRequestInTheForeground() {
        ParseResult user = parse("--format", "qcow2", "--safe", "--l2-cache-size", "12345", "--snapshot",
                "snap shot", "--allow-other", "--page-cache", "a b.qcow2", "m,n");
        List<String> childArguments = ChildCommandLine.of(user);
        assertThat(childArguments).containsExactly("mount", "--format=qcow2", "--safe", "--l2-cache-size=12345",
                "--snapshot=snap shot", "--allow-other", "--page-cache", "--foreground", "--report-ready", "--",
                Path.of("a b.qcow2").toAbsolutePath().toString(), Path.of("m,n").toAbsolutePath().toString());

        MountRequest request = command(user).request();
        MountCommand child = command(parse(childArguments.subList(1, childArguments.size()).toArray(String[]::new)));
        assertThat(child.reportsReady()).isTrue();
        assertThat(child.request()).isEqualTo(new MountRequest(Path.of("a b.qcow2").toAbsolutePath(),
                Path.of("m,n").toAbsolutePath(), request.openOptions(), MountOptions.builder().allowOther(true)
                .pageCache(true).build(), true));
        assertThat(child.request().fileName()).isEqualTo("a b.raw");
        assertThat(request.openOptions()).isEqualTo(OpenOptions.builder().format("qcow2")
                .filePolicy(FilePolicy.refuseOtherFiles()).set(Qcow2Options.L2_CACHE_SIZE, 12345L)
                .snapshot("snap shot").build());
    }

    /** An image whose name starts with a dash, and option values that do, reach the child as they were. */
    @Test
    void theChildsCommandLineKeepsValuesThatLookLikeOptions() {
        ParseResult user = parse("--name=-x.raw", "--snapshot=-1", "--", "-disk.qcow2", "mnt");
        List<String> childArguments = ChildCommandLine.of(user);
        MountCommand child = command(parse(childArguments.subList(1, childArguments.size()).toArray(String[]::new)));
        assertThat(child.request()).isEqualTo(new MountRequest(Path.of("-disk.qcow2").toAbsolutePath(),
                Path.of("mnt").toAbsolutePath(), OpenOptions.builder().snapshot("-1").build(),
                MountOptions.builder().fileName("-x.raw").build(), true));
    }

    @Test
    void sizesTakeBinaryUnitsAsInEveryCommand() {
        assertThat(l2CacheSize("4096")).isEqualTo(4096);
        assertThat(l2CacheSize("512k")).isEqualTo(512L << 10);
        assertThat(l2CacheSize("8M")).isEqualTo(8L << 20);
        assertThat(l2CacheSize("1G")).isEqualTo(1L << 30);
        for (String bad : new String[] {"lots", "-1", "1GB"}) {
            Cli.Result result = Cli.run("mount", "--l2-cache-size", bad, "img", "mnt");
            assertThat(result.exit()).as(bad).isEqualTo(2);
            assertThat(result.stderr()).as(bad).startsWith("qcow2: Invalid value for option '--l2-cache-size': '"
                    + bad + "' is not a size: ");
        }
    }

    private static long l2CacheSize(String text) {
        return command(parse("--l2-cache-size", text, "img", "mnt")).request().openOptions()
                .get(Qcow2Options.L2_CACHE_SIZE);
    }

    @Test
    void rejectsWhatItDoesNotUnderstand() {
        assertUsageError("qcow2: Missing required parameter: 'MOUNTPOINT'", "img");
        assertUsageError("qcow2: Unknown option: '--bogus'", "--bogus", "img", "mnt");
        assertUsageError("qcow2: Missing required parameter for option '--name' (NAME)", "img", "mnt", "--name");
        assertUsageError("qcow2: Invalid value for option '--safe': 'yes' is not a boolean", "img", "mnt",
                "--safe=yes");
        assertUsageError("qcow2: invalid file name 'a/b': it must be a single path component, not empty, '.' or '..'",
                "img", "mnt", "--name", "a/b");
        Cli.Result help = Cli.run("mount", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).startsWith("Usage: qcow2 mount ").doesNotContain("report-ready");
    }

    private static void assertUsageError(String line, String... args) {
        List<String> all = new ArrayList<>(List.of("mount"));
        all.addAll(List.of(args));
        Cli.Result result = Cli.run(all.toArray(String[]::new));
        assertThat(result.exit()).as(all.toString()).isEqualTo(2);
        assertThat(result.stderr()).isEqualTo(line + "\nTry 'qcow2 mount --help' for more information.\n");
    }
}
