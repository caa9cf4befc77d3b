package io.qcow4j.qcow2.write;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.qcow4j.BlockStatus;
import io.qcow4j.Image;

/**
 * Where an image has bytes to read, asked of its block status front to back, one query per run: each query covers the
 * rest of the disk, so a file's holes are looked up once each (for a sparse raw file on tmpfs a query per chunk costs
 * more than reading the chunk, as the file system scans from the offset to the next hole every time).
 */
final class DataRanges {

    private final Image image;
    private final long size;
    /** The last run block status returned: the next call most often starts inside it. */
    private BlockStatus current;

    DataRanges(Image image) {
        this.image = image;
        this.size = image.size();
    }

    /**
     * The ranges of {@code [start, end)} that must be read, as {@code {from, to}} pairs; the rest reads as zeros.
     * Calls come in ascending order of {@code start}.
     */
    List<long[]> between(long start, long end) throws IOException {
        List<long[]> ranges = new ArrayList<>(1);
        long limit = Math.min(end, size);
        long at = start;
        while (at < limit) {
            if (current == null || current.end() <= at || current.offset() > at) {
                current = image.blockStatus(at, size - at);
                if (current.end() <= at) {
                    throw new IOException("block status of the " + image.format() + " image at " + at
                            + " made no progress");
                }
            }
            long to = Math.min(limit, current.end());
            if (!current.readsAsZero()) {
                if (!ranges.isEmpty() && ranges.get(ranges.size() - 1)[1] == at) {
                    ranges.get(ranges.size() - 1)[1] = to;
                } else {
                    ranges.add(new long[] {at, to});
                }
            }
            at = to;
        }
        return ranges;
    }
}
