package io.qcow4j.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import io.qcow4j.BlockStatus;
import io.qcow4j.FilePolicy;
import io.qcow4j.Image;
import io.qcow4j.ImageFormats;
import io.qcow4j.ImageInfo;
import io.qcow4j.OpenOptions;

/**
 * Does what a caller may do with an untrusted image (open it in safe mode, ask its info, walk its block status, read
 * it) within a budget, checking the API's contract on the way: an {@link AssertionError} when it is broken. A damaged
 * image may make any step throw an {@link IOException} with a message; anything else escapes.
 */
public final class Exerciser {

    /** Other files are refused: a fuzzed image may name any host file as its parent. */
    public static final OpenOptions SAFE = OpenOptions.builder().filePolicy(FilePolicy.refuseOtherFiles())
            .chainMemoryLimit(64L << 20).build();

    private static final int CHUNK = 64 * 1024;

    private Exerciser() {
    }

    /** One fuzz input: only an {@link IOException} with a message may come out. */
    public static void fuzzOne(ImageFormats formats, Path file) {
        try {
            exercise(formats, file, SAFE, 4L << 20, 4096);
        } catch (IOException e) {
            if (e.getMessage() == null || e.getMessage().isBlank()) {
                throw new AssertionError("an " + e.getClass().getName() + " without a message", e);
            }
        }
    }

    /** Opens {@code file}, walks and reads it within the budget, and closes it. */
    public static void exercise(ImageFormats formats, Path file, OpenOptions options, long readBudget,
                                int statusCalls) throws IOException {
        try (Image image = formats.open(file, options)) {
            ImageInfo info = image.info();
            check(info.virtualSize() == image.size(), "info's size " + info.virtualSize() + " != " + image.size());
            long size = image.size();
            check(size >= 0, "negative size " + size);
            ByteBuffer heap = ByteBuffer.allocate(CHUNK);
            ByteBuffer direct = ByteBuffer.allocateDirect(CHUNK);
            long at = 0;
            long readLeft = readBudget;
            for (int calls = 0; at < size && calls < statusCalls; calls++) {
                BlockStatus status = image.blockStatus(at, size - at);
                check(status.offset() == at && status.end() <= size && status.end() > at,
                        "block status " + status + " for offset " + at + " of a " + size + "-byte disk");
                int n = (int) Math.min(Math.min(CHUNK, status.length()), readLeft);
                if (n > 0) {
                    readExactly(image, heap.clear().limit(n), at);
                    readExactly(image, direct.clear().limit(n), at);
                    check(heap.equals(direct), "heap and direct reads at " + at + " differ");
                    if (status.readsAsZero() && image.backing().isEmpty()) {
                        for (int i = 0; i < n; i++) {
                            check(heap.get(i) == 0, "byte " + (at + i) + " of zero run " + status + " is not 0");
                        }
                    }
                    readLeft -= n;
                }
                at = status.end();
            }
            if (size > 0) {
                int n = (int) Math.min(CHUNK, size);
                readExactly(image, heap.clear().limit(n), size - n);
            }
            check(image.read(heap.clear(), size) == -1, "a read at the end of the disk did not return -1");
        }
    }

    private static void readExactly(Image image, ByteBuffer buffer, long position) throws IOException {
        int wanted = buffer.remaining();
        int n = image.read(buffer, position);
        check(n == wanted && !buffer.hasRemaining(), "read of " + wanted + " bytes at " + position + " returned " + n);
        buffer.flip();
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
