package io.qcow4j.qcow2.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.Image;
import io.qcow4j.ImageException;
import io.qcow4j.Images;
import io.qcow4j.testing.ImageExerciser;
import io.qcow4j.testing.Qemu;

/**
 * Every header field of several small images, set to each of a list of hostile values (0, 1, all ones, all ones
 * minus one, unaligned, huge, negative as unsigned, the original plus or minus one): opening and reading the whole
 * disk either fails with an {@link ImageException} (or another IOException) that has a message, or succeeds; never an
 * unchecked exception, an {@link OutOfMemoryError} under the module's small test heap, or a hang.
 */
class HeaderFieldSweepTest {

    /** Fields that change no byte of the disk when a reader accepts them. */
    private static final Set<HeaderField> METADATA_ONLY = Set.of(HeaderField.COMPATIBLE_FEATURES,
            HeaderField.REFCOUNT_TABLE_OFFSET, HeaderField.REFCOUNT_TABLE_CLUSTERS, HeaderField.REFCOUNT_ORDER);

    /**
     * The heap one open-and-read of a damaged fixture may take: the exerciser's 256 KiB buffer, a 2 MiB cluster 0 when
     * cluster_bits says 21, tables no larger than the file, and the rest small. An allocation sized by an unchecked
     * field (a 32 MiB L1 table, a 64 MiB snapshot or bitmap table) breaks it.
     */
    private static final long ALLOCATION_LIMIT = 12L << 20;

    @TempDir
    static Path fixtures;
    @TempDir
    Path dir;

    private static final List<Path> IMAGES = new ArrayList<>();

    @BeforeAll
    static void images() {
        Qemu.require("qemu-img");
        IMAGES.add(Fixtures.plain(fixtures, "v3-512.qcow2", "1.1", 512));
        IMAGES.add(Fixtures.plain(fixtures, "v2-512.qcow2", "0.10", 512));
        IMAGES.add(Fixtures.compressed(fixtures, "v3-zstd-4k.qcow2", "1.1", 4096, "zstd"));
        IMAGES.add(Fixtures.extendedL2(fixtures, "extended-16k.qcow2"));
        IMAGES.add(Fixtures.withSnapshot(fixtures, "snapshot-512.qcow2"));
    }

    @TestFactory
    Stream<DynamicNode> everyFieldOfEveryImage() {
        return IMAGES.stream().map(image -> DynamicContainer.dynamicContainer(image.getFileName().toString(),
                Stream.of(HeaderField.values())
                        .filter(f -> f.inVersion2() || ImagePatcher.of(image).get(HeaderField.VERSION) == 3)
                        .map(field -> DynamicTest.dynamicTest(field.specName(), () -> sweep(image, field)))));
    }

    private void sweep(Path image, HeaderField field) throws IOException {
        long original = ImagePatcher.of(image).get(field);
        byte[] expected = null;
        for (long value : hostileValues(field, original, ImagePatcher.of(image).clusterSize())) {
            ImagePatcher p = ImagePatcher.copy(image, dir.resolve("swept.qcow2")).set(field, value);
            String what = field.specName() + " = " + Long.toUnsignedString(value) + " in " + image.getFileName();
            long[] allocated = new long[1];
            IOException failure = Outcome.of(() -> {
                long before = allocatedBytes();
                try {
                    ImageExerciser.exercise(p.path(), Outcome.SAFE, ImageExerciser.TESTS);
                } finally {
                    allocated[0] = allocatedBytes() - before;
                }
            }, what);
            // nothing sizes an allocation from a field unchecked: a few-KiB image never costs more than a few MiB
            assertThat(allocated[0]).as("heap bytes allocated to open and read %s", what).isLessThan(ALLOCATION_LIMIT);
            if (failure == null && METADATA_ONLY.contains(field)) {
                if (expected == null) {
                    expected = Fixtures.expected(image);
                }
                try (Image opened = Images.open(p.path(), Outcome.SAFE)) {
                    Bytes.assertSame(ImageExerciser.readAll(opened), expected, what);
                }
            }
        }
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /**
     * The values to try: for every field 0, 1, all ones, all ones minus one, the top bit alone (negative as signed),
     * huge, unaligned, and the original plus or minus one and plus a cluster; then the edges of the field's own range.
     */
    static List<Long> hostileValues(HeaderField field, long original, int clusterSize) {
        long max = field.max();
        long top = 1L << (8 * field.width() - 1);
        Set<Long> values = new LinkedHashSet<>(List.of(0L, 1L, max, max - 1, top, top | 0x200L,
                field.width() == 8 ? 1L << 40 : 0x7fffffffL, 0x201L, original - 1, original + 1,
                original + clusterSize));
        values.addAll(switch (field) {
            case VERSION -> List.of(2L, 3L, 4L);
            case CLUSTER_BITS -> List.of(8L, 9L, 12L, 16L, 21L, 22L, 64L);
            case BACKING_FILE_OFFSET -> List.of(72L, 104L, 112L, clusterSize - 8L, (long) clusterSize);
            case BACKING_FILE_SIZE -> List.of(1023L, 1024L, (long) clusterSize);
            case SIZE -> List.of(1L << 30, 1L << 61, 1L << 62, Long.MAX_VALUE);
            case CRYPT_METHOD -> List.of(2L, 3L);
            case L1_SIZE -> List.of(0x400000L, 0x400001L);
            case NB_SNAPSHOTS -> List.of(2L, 65536L, 65537L);
            case INCOMPATIBLE_FEATURES, COMPATIBLE_FEATURES, AUTOCLEAR_FEATURES ->
                    List.of(original | 2, original | 4, original | 8, original | 16, original | 32, ~original);
            case REFCOUNT_ORDER -> List.of(6L, 7L);
            case HEADER_LENGTH -> List.of(100L, 104L, 105L, 112L, (long) clusterSize, clusterSize + 8L);
            case COMPRESSION_TYPE -> List.of(2L);
            default -> List.<Long>of();
        });
        List<Long> masked = new ArrayList<>();
        for (long v : values) {
            long m = v & max;
            if (m != original && !masked.contains(m)) {
                masked.add(m);
            }
        }
        return masked;
    }
}
