package io.qcow4j.qcow2.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.testing.ImageExerciser;
import io.qcow4j.testing.Qemu;

/**
 * Damage that QEMU may well accept: one bit flipped in an L1 entry, an L2 entry or a subcluster bitmap (seeded, so
 * every run tries the same flips). Whenever both qemu-img and this reader read the damaged image, they must read the
 * same bytes; either may refuse it (this reader checks more than QEMU), but only with an IOException.
 */
class HostileDifferentialTest {

    private static final int FLIPS_PER_IMAGE = 24;

    @TempDir
    static Path fixtures;
    @TempDir
    Path dir;

    private static final List<Path> IMAGES = new ArrayList<>();
    /** How many flips both readers read: the comparison must not be vacuous. */
    private static final AtomicInteger COMPARED = new AtomicInteger();

    @BeforeAll
    static void images() {
        Qemu.require("qemu-img");
        IMAGES.add(Fixtures.plain(fixtures, "v3-512.qcow2", "1.1", 512));
        IMAGES.add(Fixtures.plain(fixtures, "v2-4k.qcow2", "0.10", 4096));
        IMAGES.add(Fixtures.compressed(fixtures, "v3-zstd-4k.qcow2", "1.1", 4096, "zstd"));
        IMAGES.add(Fixtures.extendedL2(fixtures, "extended-16k.qcow2"));
    }

    @TestFactory
    Stream<DynamicTest> oneBitFlippedInTheMapping() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path image : IMAGES) {
            Random random = new Random(image.getFileName().toString().hashCode());
            ImagePatcher original = ImagePatcher.of(image);
            for (int i = 0; i < FLIPS_PER_IMAGE; i++) {
                long guest = random.nextLong(Fixtures.SIZE) & -original.clusterSize();
                int which = random.nextInt(3);
                long at = which == 0 ? original.l1EntryOffset(guest)
                        : which == 1 || !original.extendedL2() ? original.l2EntryOffset(guest)
                        : original.l2EntryOffset(guest) + 8;
                int bit = random.nextInt(64);
                String name = String.format("%s: bit %d of the %s entry for guest offset %d", image.getFileName(),
                        bit, which == 0 ? "L1" : which == 1 || !original.extendedL2() ? "L2" : "bitmap", guest);
                tests.add(DynamicTest.dynamicTest(name, () -> flipAndCompare(image, at, bit, name)));
            }
        }
        return tests.stream();
    }

    private void flipAndCompare(Path image, long at, int bit, String what) throws IOException {
        ImagePatcher p = ImagePatcher.copy(image, dir.resolve("flipped.qcow2"));
        p.u64(at, p.get(at, 8) ^ (1L << bit));
        if (Outcome.of(p.path()) != null) {
            return;
        }
        Path qemuRaw = dir.resolve("qemu.raw");
        try {
            Qemu.toRaw(p.path(), qemuRaw, "-f", "qcow2");
        } catch (IllegalStateException qemuRefused) {
            return;
        }
        try (Image opened = Images.open(p.path(), Outcome.SAFE)) {
            Bytes.assertSame(ImageExerciser.readAll(opened), Files.readAllBytes(qemuRaw), what);
        }
        COMPARED.incrementAndGet();
    }

    @AfterAll
    static void someFlipsWereReadByBoth() {
        assertThat(COMPARED.get()).as("flips read by both qemu-img and qcow4j").isGreaterThan(FLIPS_PER_IMAGE);
    }
}
