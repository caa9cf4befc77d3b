package io.qcow4j.vmdk;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.qcow4j.testing.Qemu;

/** qemu-img and qemu-io on VMDKs. */
final class VmdkTools {

    private VmdkTools() {
    }

    /** {@code qemu-img create -f vmdk [-o OPTIONS] PATH SIZE}; options are joined with commas. */
    static Path create(Path path, String size, String... options) {
        List<String> command = new ArrayList<>(List.of("qemu-img", "create", "-q", "-f", "vmdk"));
        if (options.length > 0) {
            command.add("-o");
            command.add(String.join(",", options));
        }
        command.add(path.toString());
        command.add(size);
        Qemu.run(command);
        return path;
    }

    /** {@code qemu-img create -f vmdk -b PARENT -F vmdk [-o OPTIONS] PATH}: a delta disk over {@code parent}. */
    static Path delta(Path path, Path parent, String... options) {
        List<String> command = new ArrayList<>(List.of("qemu-img", "create", "-q", "-f", "vmdk", "-b",
                parent.getFileName().toString(), "-F", "vmdk"));
        if (options.length > 0) {
            command.add("-o");
            command.add(String.join(",", options));
        }
        command.add(path.toString());
        Qemu.run(command);
        return path;
    }

    /** {@code qemu-img convert -O vmdk [-o OPTIONS] SOURCE TARGET}. */
    static Path convert(Path source, Path target, String... options) {
        List<String> command = new ArrayList<>(List.of("qemu-img", "convert", "-O", "vmdk"));
        if (options.length > 0) {
            command.add("-o");
            command.add(String.join(",", options));
        }
        command.add(source.toString());
        command.add(target.toString());
        Qemu.run(command);
        return target;
    }

    /** qemu-io commands ({@code write -P 0xab 0 64k}, {@code write -z 1M 64k}) on a VMDK. */
    static void io(Path image, String... commands) {
        Qemu.io(image, "vmdk", commands);
    }

    /** {@code qemu-img info --output=json}, parsed. */
    static JsonObject info(Path image) {
        return JsonParser.parseString(Qemu.run("qemu-img", "info", "--output=json", image.toString()))
                .getAsJsonObject();
    }
}
