package io.qcow4j.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

import io.qcow4j.BlockStatus;
import io.qcow4j.FilePolicy;
import io.qcow4j.Image;
import io.qcow4j.ImageFormats;
import io.qcow4j.ImageInfo;
import io.qcow4j.OpenOptions;
import io.qcow4j.SnapshotInfo;

/**
 * Does everything a caller may do with an untrusted image: open it, ask for its info, walk its block status, read
 * it, and open and read its snapshots, checking the API's contract on the way (an {@link AssertionError} when it is
 * broken). A damaged image may make any step throw an {@link IOException}; anything else escapes to the caller.
 *
 * <p>The work is bounded by a budget, not by the image: a few KiB of file can describe a disk of terabytes of data
 * (many L1 entries may share one L2 table), and reading all of it proves nothing more than reading the first part.
 */
public final class ImageExerciser {

    /** How much to do with one image. */
    public record Budget(long readBytes, int statusCalls, int snapshots) {
    }

    /** Enough to read every small test image whole. */
    public static final Budget TESTS = new Budget(64L << 20, 100_000, 4);
    /** Per fuzzer execution: small, so that the fuzzer runs thousands of inputs a second. */
    public static final Budget FUZZ = new Budget(4L << 20, 4_096, 2);

    private static final int CHUNK = 256 * 1024;

    private ImageExerciser() {
    }

    /** Other files are refused: a fuzzed image may name any host file as its backing file. */
    public static final OpenOptions SAFE = OpenOptions.builder().filePolicy(FilePolicy.refuseOtherFiles()).build();

    /** Opens {@code path} with the default providers, reads it (and its snapshots) within {@code budget}. */
    public static void exercise(Path path, OpenOptions options, Budget budget) throws IOException {
        exercise(ImageFormats.defaults(), path, options, budget);
    }

    /** Opens {@code path} with {@code formats}, reads it (and its snapshots) within {@code budget}, and closes it. */
    public static void exercise(ImageFormats formats, Path path, OpenOptions options, Budget budget)
            throws IOException {
        List<SnapshotInfo> snapshots;
        try (Image image = formats.open(path, options)) {
            ImageInfo info = image.info();
            check(info.virtualSize() == image.size(), "info's virtual size " + info.virtualSize() + " != size "
                    + image.size());
            snapshots = info.snapshots();
            walk(image, budget);
        }
        if (options.snapshot().isEmpty()) {
            for (SnapshotInfo snapshot : snapshots.subList(0, Math.min(budget.snapshots(), snapshots.size()))) {
                try (Image image = formats.open(path, options.toBuilder().snapshot(snapshot.id()).build())) {
                    walk(image, budget);
                }
            }
        }
    }

    /** Walks the block status from the start, reads each run within the budget, and checks zero runs read as zero. */
    public static void walk(Image image, Budget budget) throws IOException {
        long size = image.size();
        check(size >= 0, "negative size " + size);
        ByteBuffer heap = ByteBuffer.allocate(CHUNK);
        // direct buffers take other paths (a whole compressed cluster decompresses straight into one)
        ByteBuffer direct = ByteBuffer.allocateDirect(CHUNK);
        ByteBuffer buffer = heap;
        long readLeft = budget.readBytes();
        long at = 0;
        for (int calls = 0; at < size && calls < budget.statusCalls(); calls++) {
            buffer = buffer == heap ? direct : heap;
            BlockStatus status = image.blockStatus(at, size - at);
            check(status.offset() == at && status.length() > 0 && status.end() <= size && status.end() > at,
                    "block status " + status + " for offset " + at + " of a " + size + "-byte disk");
            long run = Math.min(status.length(), readLeft);
            for (long done = 0; done < run; ) {
                int n = (int) Math.min(CHUNK, run - done);
                readExactly(image, buffer.clear().limit(n), at + done);
                if (status.readsAsZero() && image.backing().isEmpty()) {
                    checkZeros(buffer, status, at + done);
                } else if (done == 0) {
                    // the run's first chunk again, through the other kind of buffer: the same bytes
                    ByteBuffer other = buffer == heap ? direct : heap;
                    readExactly(image, other.clear().limit(n), at);
                    check(other.equals(buffer), "reading " + n + " bytes at " + at + " into a "
                            + (other.isDirect() ? "direct" : "heap") + " buffer gave other bytes than into a "
                            + (buffer.isDirect() ? "direct" : "heap") + " one");
                }
                done += n;
            }
            readLeft -= run;
            at = status.end();
        }
        if (size > 0) {
            // the far end of the disk, whatever the budget left unread
            int n = (int) Math.min(CHUNK, size);
            readExactly(image, buffer.clear().limit(n), size - n);
        }
        check(image.read(buffer.clear(), size) == -1, "a read at the end of the disk did not return -1");
    }

    private static void readExactly(Image image, ByteBuffer buffer, long position) throws IOException {
        int wanted = buffer.remaining();
        int n = image.read(buffer, position);
        check(n == wanted && !buffer.hasRemaining(), "read of " + wanted + " bytes at " + position + " returned " + n
                + " with " + buffer.remaining() + " bytes left in the buffer");
        buffer.flip();
    }

    private static void checkZeros(ByteBuffer buffer, BlockStatus status, long position) {
        for (int i = buffer.position(); i < buffer.limit(); i++) {
            if (buffer.get(i) != 0) {
                throw new AssertionError("byte " + (position + i) + " reads " + buffer.get(i) + " but block status "
                        + status + " says it reads as zero");
            }
        }
    }

    /** Reads a small disk whole. */
    public static byte[] readAll(Image image) throws IOException {
        check(image.size() <= Integer.MAX_VALUE - 8, "disk too large to read whole: " + image.size());
        ByteBuffer all = ByteBuffer.allocate((int) image.size());
        image.readFully(all, 0);
        return all.array();
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }

    /**
     * One fuzz input: open in safe mode and exercise within the fuzzing budget. Only an {@link IOException} with a
     * message may come out; anything else (an unchecked exception, an error, a hang caught by Jazzer) is a finding.
     */
    public static void fuzzOne(Path file) {
        fuzzOne(ImageFormats.defaults(), file);
    }

    /** As {@link #fuzzOne(Path)}, opening with {@code formats}. */
    public static void fuzzOne(ImageFormats formats, Path file) {
        try {
            exercise(formats, file, SAFE, FUZZ);
        } catch (IOException e) {
            if (e.getMessage() == null || e.getMessage().isBlank()) {
                throw new AssertionError("an " + e.getClass().getName() + " without a message", e);
            }
        }
    }
}
