package io.qcow4j.qcow2.write;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * The file sizes a new image needs, as {@code qemu-img measure} reports them.
 *
 * @param required       the bytes the image takes holding the source's data: its metadata as for a fully allocated
 *                       image, and a whole cluster for every cluster of the source holding data
 * @param fullyAllocated the bytes it takes with every cluster of the disk allocated
 * @param bitmaps        the bytes more that copying the source's persistent dirty bitmaps would take; present only
 *                       when both the source and the new image can hold such bitmaps (a qcow2 image of compat 1.1), as
 *                       qemu-img prints it only then
 */
public record Measurement(long required, long fullyAllocated, OptionalLong bitmaps) {

    /**
     * Checks that the sizes are sizes.
     *
     * @param required       as the record describes it
     * @param fullyAllocated as the record describes it
     * @param bitmaps        as the record describes it
     */
    public Measurement {
        Objects.requireNonNull(bitmaps, "bitmaps");
        if (required < 0 || fullyAllocated < 0 || (bitmaps.isPresent() && bitmaps.getAsLong() < 0)) {
            throw new IllegalArgumentException("negative size in measurement: required " + required
                    + ", fully allocated " + fullyAllocated + ", bitmaps " + bitmaps);
        }
    }
}
