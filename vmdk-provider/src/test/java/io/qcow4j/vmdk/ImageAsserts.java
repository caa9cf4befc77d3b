package io.qcow4j.vmdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;

import io.qcow4j.Image;
import io.qcow4j.ImageInfo;
import io.qcow4j.testing.QemuMap;

/**
 * Compares an image with what qemu-img makes of it: its bytes with {@code qemu-img convert -O raw}'s, in chunks (the
 * disks may be larger than the test heap), its map with {@code qemu-img map}'s, its info with {@code qemu-img info}'s.
 */
final class ImageAsserts {

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();
    private static final int CHUNK = 1 << 20;

    private ImageAsserts() {
    }

    /** Reads the whole disk front to back, into direct and heap buffers by turns, and compares it with {@code raw}. */
    static void assertReadsLike(Image image, Path raw) throws IOException {
        try (FileChannel expected = FileChannel.open(raw, StandardOpenOption.READ)) {
            assertThat(image.size()).as("size").isEqualTo(expected.size());
            ByteBuffer direct = ByteBuffer.allocateDirect(CHUNK);
            ByteBuffer heap = ByteBuffer.allocate(CHUNK);
            ByteBuffer theirs = ByteBuffer.allocate(CHUNK);
            long at = 0;
            boolean useDirect = true;
            while (at < image.size()) {
                ByteBuffer ours = useDirect ? direct : heap;
                useDirect = !useDirect;
                int n = image.read(ours.clear(), at);
                assertThat(n).as("read at %d", at).isEqualTo((int) Math.min(CHUNK, image.size() - at));
                readFully(expected, theirs.clear().limit(n), at);
                assertSame(ours.flip(), theirs.flip(), at);
                at += n;
            }
            assertThat(image.read(heap.clear(), image.size())).isEqualTo(-1);
        }
    }

    /** Reads at random offsets and lengths from several threads at once. */
    static void assertRandomReads(Image image, Path raw, long seed) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (FileChannel expected = FileChannel.open(raw, StandardOpenOption.READ)) {
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long threadSeed = seed * 31 + t;
                results.add(pool.submit(() -> {
                    Random random = new Random(threadSeed);
                    long size = image.size();
                    for (int i = 0; i < 200; i++) {
                        long offset = (random.nextLong() & Long.MAX_VALUE) % size;
                        int length = (int) Math.min(size - offset, 1 + random.nextInt(200_000));
                        ByteBuffer ours = i % 2 == 0 ? ByteBuffer.allocate(length) : ByteBuffer.allocateDirect(length);
                        assertThat(image.read(ours, offset)).isEqualTo(length);
                        ByteBuffer theirs = ByteBuffer.allocate(length);
                        readFully(expected, theirs, offset);
                        assertSame(ours.flip(), theirs.flip(), offset);
                    }
                    return null;
                }));
            }
            for (Future<?> result : results) {
                result.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new AssertionError("reference file ends at " + (position + buffer.position()));
            }
        }
    }

    private static void assertSame(ByteBuffer ours, ByteBuffer theirs, long base) {
        int mismatch = ours.mismatch(theirs);
        if (mismatch >= 0) {
            throw new AssertionError("bytes differ at guest offset " + (base + mismatch) + ": got "
                    + (mismatch < ours.remaining() ? ours.get(ours.position() + mismatch) : "end")
                    + ", qemu-img gives " + (mismatch < theirs.remaining() ? theirs.get(theirs.position() + mismatch)
                    : "end"));
        }
    }

    /**
     * The map agrees with {@code qemu-img map --output=json}, both merged alike: flat extents' data in holes of
     * their files included ({@code "data": true, "zero": true}).
     */
    static void assertMapLike(Image image, Path top) throws IOException {
        assertThat(QemuMap.of(image)).as("map of %s", top)
                .containsExactlyElementsOf(QemuMap.merged(QemuMap.of(top)));
    }

    /**
     * The info agrees with {@code qemu-img info --output=json}: format, sizes, backing file, and the format-specific
     * data key for key, in qemu-img's order.
     */
    static void assertInfoLike(Image image, Path top) throws IOException {
        JsonObject theirs = VmdkTools.info(top);
        ImageInfo ours = image.info();
        assertThat(ours.format()).isEqualTo(theirs.get("format").getAsString());
        assertThat(ours.virtualSize()).isEqualTo(theirs.get("virtual-size").getAsLong());
        assertThat(ours.clusterSize()).as("cluster-size")
                .isEqualTo(theirs.has("cluster-size") ? theirs.get("cluster-size").getAsInt() : 0);
        assertThat(ours.dirty()).isEqualTo(theirs.get("dirty-flag").getAsBoolean());
        assertThat(ours.backingFilename()).isEqualTo(string(theirs, "backing-filename"));
        assertThat(ours.backingFormat()).isEqualTo(string(theirs, "backing-filename-format"));
        if (theirs.has("full-backing-filename")) {
            assertThat(ours.fullBackingFilename()).hasToString(theirs.get("full-backing-filename").getAsString());
        }
        JsonObject specific = theirs.getAsJsonObject("format-specific");
        assertThat(specific.get("type").getAsString()).isEqualTo("vmdk");
        // serialized alike, the texts are equal only with the same keys in the same order and the same values
        assertThat(GSON.toJson(GSON.toJsonTree(ours.formatSpecific()))).as("format-specific data of %s", top)
                .isEqualTo(GSON.toJson(specific.get("data")));
    }

    private static String string(JsonObject object, String key) {
        return object.has(key) ? object.get(key).getAsString() : null;
    }
}
