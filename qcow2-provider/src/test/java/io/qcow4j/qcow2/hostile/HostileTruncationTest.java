package io.qcow4j.qcow2.hostile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.OpenOptions;
import io.qcow4j.testing.ImageExerciser;
import io.qcow4j.testing.Qemu;

/**
 * Every small qemu-img-made image cut at every cluster boundary and at odd offsets inside the header: opening and
 * reading it either fails with an IOException that says why, or succeeds and reads what qemu-img reads from the same
 * cut file.
 */
class HostileTruncationTest {

    @TempDir
    static Path fixtures;
    @TempDir
    Path dir;

    private static final List<Path> IMAGES = new ArrayList<>();
    private static final OpenOptions QCOW2 = Outcome.SAFE.toBuilder().format("qcow2").build();

    @BeforeAll
    static void images() {
        Qemu.require("qemu-img");
        IMAGES.add(Fixtures.plain(fixtures, "v3-512.qcow2", "1.1", 512));
        IMAGES.add(Fixtures.plain(fixtures, "v2-512.qcow2", "0.10", 512));
        IMAGES.add(Fixtures.compressed(fixtures, "v2-deflate-4k.qcow2", "0.10", 4096, "zlib"));
        IMAGES.add(Fixtures.compressed(fixtures, "v3-zstd-4k.qcow2", "1.1", 4096, "zstd"));
        IMAGES.add(Fixtures.extendedL2(fixtures, "extended-16k.qcow2"));
        IMAGES.add(Fixtures.withSnapshot(fixtures, "snapshot-512.qcow2"));
    }

    @TestFactory
    Stream<DynamicNode> everyCutPoint() {
        return IMAGES.stream().map(image -> DynamicContainer.dynamicContainer(image.getFileName().toString(),
                cutPoints(image).stream().map(cut -> DynamicTest.dynamicTest("cut at " + cut,
                        () -> cutAndRead(image, cut)))));
    }

    private static List<Long> cutPoints(Path image) {
        ImagePatcher p = ImagePatcher.of(image);
        long size = p.size();
        int cluster = p.clusterSize();
        TreeSet<Long> points = new TreeSet<>();
        for (long at = 0; at < size; at += cluster) {
            points.add(at);
        }
        // inside the header fields, around the end of the v2 and v3 headers, inside the extensions, and the last byte
        for (long at : new long[] {1, 4, 20, 40, 71, 72, 73, 100, 103, 104, 105, 111, 112, 113, 120, 200,
                cluster - 1, cluster + 1, cluster + 300, size / 2 + 3, size - 1}) {
            if (at > 0 && at < size) {
                points.add(at);
            }
        }
        return List.copyOf(points);
    }

    private void cutAndRead(Path image, long cut) throws IOException {
        Path cutImage = ImagePatcher.copy(image, dir.resolve("cut.qcow2")).truncate(cut).path();
        // the format is given: a file cut inside the magic would otherwise be probed as raw
        IOException failure = Outcome.of(cutImage, QCOW2);
        if (failure != null) {
            return;
        }
        // it read cleanly: then it must read what qemu-img reads, when qemu-img can read it at all
        Path qemuRaw = dir.resolve("qemu.raw");
        try {
            Qemu.toRaw(cutImage, qemuRaw, "-f", "qcow2");
        } catch (IllegalStateException qemuFailed) {
            return;
        }
        try (Image opened = Images.open(cutImage, QCOW2)) {
            Bytes.assertSame(ImageExerciser.readAll(opened), Files.readAllBytes(qemuRaw),
                    image.getFileName() + " cut at " + cut);
        }
    }
}
