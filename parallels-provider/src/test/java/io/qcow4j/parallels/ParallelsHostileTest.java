package io.qcow4j.parallels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.CorruptImageException;
import io.qcow4j.Image;
import io.qcow4j.ImageException;
import io.qcow4j.ImageFormats;
import io.qcow4j.ImageLimitException;
import io.qcow4j.OpenOptions;
import io.qcow4j.UnknownFormatException;
import io.qcow4j.testing.ImageExerciser;

/** Every header field and table entry out of range, and truncated files: refused by name, never misread. */
class ParallelsHostileTest {

    private static final ImageFormats FORMATS = ImageFormats.of(new ParallelsFormatProvider());
    private static final OpenOptions AS_PARALLELS = OpenOptions.builder().format("parallels").build();

    @TempDir
    Path dir;

    /** 16 sectors a cluster, 8 clusters, clusters 1 and 6 stored. */
    private static byte[] valid() {
        return new ParallelsBuilder(128).clusterSectors(16).cluster(1, ParallelsBuilder.pattern(8192, 1))
                .cluster(6, ParallelsBuilder.pattern(8192, 2)).build();
    }

    private Path patched(Consumer<ByteBuffer> edit) throws IOException {
        ByteBuffer image = ByteBuffer.wrap(valid()).order(ByteOrder.LITTLE_ENDIAN);
        edit.accept(image);
        return Files.write(dir.resolve("hostile.hds"), image.array());
    }

    private static void assertRefused(Path file, Class<? extends ImageException> type, String message) {
        assertThatThrownBy(() -> FORMATS.open(file, AS_PARALLELS)).isInstanceOf(type).hasMessageContaining(message);
    }

    @Test
    void theValidImageReadsItsClusters() throws IOException {
        try (Image image = FORMATS.open(patched(b -> { }))) {
            ByteBuffer all = ByteBuffer.allocate((int) image.size());
            image.read(all, 0);
            byte[] expected = new byte[128 * 512];
            System.arraycopy(ParallelsBuilder.pattern(8192, 1), 0, expected, 8192, 8192);
            System.arraycopy(ParallelsBuilder.pattern(8192, 2), 0, expected, 6 * 8192, 8192);
            assertThat(all.array()).isEqualTo(expected);
        }
    }

    @Test
    void magicAndVersion() throws IOException {
        assertThatThrownBy(() -> FORMATS.open(patched(b -> b.put(3, (byte) 'x'))))
                .isInstanceOf(UnknownFormatException.class);
        assertRefused(patched(b -> b.put(3, (byte) 'x')), CorruptImageException.class,
                "Image not in Parallels format");
        assertRefused(patched(b -> b.putInt(16, 3)), CorruptImageException.class, "Image not in Parallels format");
        assertRefused(Files.write(dir.resolve("tiny.hds"), Arrays.copyOf(valid(), 63)), CorruptImageException.class,
                "the file is too small (63 bytes) to hold a Parallels header");
    }

    @Test
    void clusterSize() throws IOException {
        assertRefused(patched(b -> b.putInt(28, 0)), CorruptImageException.class,
                "zero sectors per track (cluster)");
        assertRefused(patched(b -> b.putInt(28, Integer.MAX_VALUE / 513 + 1)), ImageLimitException.class,
                "clusters of 4186128 sectors are too big (at most 4186127)");
        assertRefused(patched(b -> b.putInt(28, -1)), ImageLimitException.class,
                "clusters of 4294967295 sectors are too big");
    }

    @Test
    void tableSize() throws IOException {
        assertRefused(patched(b -> b.putInt(32, Integer.MAX_VALUE / 4 + 1)), ImageLimitException.class,
                "catalog too large: 536870912 entries (at most 536870911)");
        assertRefused(patched(b -> b.putInt(32, 100_000)), CorruptImageException.class,
                "the Parallels block allocation table of 100000 entries (400000 bytes) passes the end of the");
        // within the file but beyond what the chain may hold in memory
        Path large = dir.resolve("large.hds");
        byte[] bytes = Arrays.copyOf(valid(), 64 + 4 * 300_000);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(32, 300_000);
        Files.write(large, bytes);
        assertThatThrownBy(() -> FORMATS.open(large, OpenOptions.builder().chainMemoryLimit(1 << 20).build()))
                .isInstanceOf(ImageLimitException.class).hasMessageContaining("Parallels block allocation table");
    }

    @Test
    void diskSize() throws IOException {
        assertRefused(patched(b -> b.putLong(36, -1)), ImageLimitException.class,
                "a disk of 18446744073709551615 sectors is larger than a file can address");
        // the older header's count is 32 bits: its upper half is ignored, as QEMU does
        byte[] older = new ParallelsBuilder(128).older().cluster(0, ParallelsBuilder.pattern(4096, 3)).build();
        ByteBuffer.wrap(older).order(ByteOrder.LITTLE_ENDIAN).putInt(40, 7);
        try (Image image = FORMATS.open(Files.write(dir.resolve("older.hds"), older))) {
            assertThat(image.size()).isEqualTo(128 * 512);
        }
    }

    @Test
    void clustersPastTheEndOfTheFileFailWhenRead() throws IOException {
        // cluster 6 moved far past the end: the open succeeds, the read of that cluster fails by name
        Path image = patched(b -> b.putInt(64 + 4 * 6, 0x7fffffff));
        try (Image opened = FORMATS.open(image)) {
            ByteBuffer first = ByteBuffer.allocate(6 * 8192);
            opened.read(first, 0);
            assertThatThrownBy(() -> opened.read(ByteBuffer.allocate(512), 6 * 8192))
                    .isInstanceOf(CorruptImageException.class).hasMessageContaining("data of guest offset 49152");
        }
        // the largest entry times the largest unit stays inside a long: a clear failure, not a wrapped offset
        ImageExerciser.fuzzOne(FORMATS, patched(b -> b.putInt(28, Integer.MAX_VALUE / 513).putInt(64 + 4, -1)));
    }
}
