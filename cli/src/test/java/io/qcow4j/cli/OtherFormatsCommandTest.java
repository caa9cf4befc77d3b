package io.qcow4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.qcow4j.testing.Qemu;

/**
 * The formats the command line bundles besides qcow2 and raw, made by qemu-img in each of its subformats: {@code info}
 * and {@code map} print qemu-img's JSON, and {@code convert} writes qemu-img's bytes.
 */
class OtherFormatsCommandTest {

    @TempDir
    static Path dir;

    /** A raw disk of 3 MiB with data, zeros and a hole, converted to each format. */
    static Path raw;

    @BeforeAll
    static void makeRaw() {
        Qemu.require("qemu-img");
        Qemu.require("qemu-io");
        raw = dir.resolve("source.raw");
        Qemu.run("qemu-img", "create", "-q", "-f", "raw", raw.toString(), "3M");
        Qemu.io(raw, "raw", "write -P 0x5a 0 300k", "write -P 0x11 1M 64k", "write -P 0x22 2100k 10k");
    }

    static Stream<Arguments> images() {
        return Stream.of(
                Arguments.of("vpc", List.of("subformat=dynamic")),
                Arguments.of("vpc", List.of("subformat=fixed")),
                Arguments.of("vdi", List.<String>of()),
                Arguments.of("vdi", List.of("static=on")),
                Arguments.of("vhdx", List.of("subformat=dynamic")),
                Arguments.of("vhdx", List.of("subformat=fixed", "block_size=1M")),
                Arguments.of("vmdk", List.of("subformat=monolithicSparse")),
                Arguments.of("vmdk", List.of("subformat=streamOptimized")),
                Arguments.of("vmdk", List.of("subformat=twoGbMaxExtentSparse")),
                Arguments.of("parallels", List.<String>of()),
                Arguments.of("parallels", List.of("cluster_size=4k")));
    }

    private static Path image(String format, List<String> options) {
        Path image = dir.resolve(format + "-" + String.join("-", options).replace('=', '_') + "." + format);
        if (!Files.exists(image)) {
            List<String> command = new ArrayList<>(List.of("qemu-img", "convert", "-q", "-f", "raw", "-O", format));
            for (String option : options) {
                command.addAll(List.of("-o", option));
            }
            command.addAll(List.of(raw.toString(), image.toString()));
            Qemu.run(command);
        }
        return image;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("images")
    void infoAndMapPrintQemuImgsJson(String format, List<String> options) {
        Path image = image(format, options);
        // a fixed VHD is its data and a footer: qemu-img's probe takes it for raw, so both are told the format
        Cli.Result info = Cli.run("info", "--output=json", "-f", format, image.toString());
        assertThat(info.exit()).as("info %s: %s", image, info.stderr()).isZero();
        assertThat(without(MiniJson.parse(info.out()), "actual-size")).as("info %s", image).isEqualTo(without(
                MiniJson.parse(Qemu.run("qemu-img", "info", "--output=json", "-f", format, image.toString())),
                "actual-size"));

        Cli.Result map = Cli.run("map", "--output=json", "-f", format, image.toString());
        assertThat(map.exit()).as("map %s: %s", image, map.stderr()).isZero();
        List<Object> ours = new ArrayList<>();
        for (Object run : (List<?>) MiniJson.parse(map.out())) {
            // QEMU 8 added "compressed"; qemu-img 7.2 leaves it out. And 7.2 has no block status for vhdx: its map
            // says data everywhere, at no offset, where ours gives the data's offset in the file
            Object entry = without(run, "compressed");
            ours.add(format.equals("vhdx") ? without(entry, "offset") : entry);
        }
        assertThat(ours).as("map %s", image).isEqualTo(MiniJson.parse(Qemu.run("qemu-img", "map", "--output=json",
                "-f", format, image.toString())));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("images")
    void convertWritesQemuImgsBytesAndProbesTheFormat(String format, List<String> options) throws Exception {
        Path image = image(format, options);
        Path ours = dir.resolve(image.getFileName() + ".ours.raw");
        Cli.Result result = Cli.run("convert", "-O", "raw", image.toString(), ours.toString());
        assertThat(result.exit()).as(result.stderr()).isZero();
        Path expected = Qemu.toRaw(image, dir.resolve(image.getFileName() + ".qemu.raw"), "-f", format);
        assertThat(Files.mismatch(ours, expected)).isEqualTo(-1);
    }

    /** A JSON object without {@code key}. */
    private static Object without(Object object, String key) {
        Map<Object, Object> copy = new LinkedHashMap<>((Map<?, ?>) object);
        copy.remove(key);
        return copy;
    }
}
