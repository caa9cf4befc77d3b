package io.qcow4j;

/**
 * The status of one run of guest bytes, as returned by {@link Image#blockStatus(long, long)}.
 *
 * @param offset     the guest offset where the run starts
 * @param length     its length in bytes, at least 1
 * @param allocation whether the run holds data, reads as zero, or is unallocated
 * @param compressed whether the run's data is stored compressed
 * @param depth      the depth in the backing chain of the image that decides the run: 0 for the image itself,
 *                   1 for its backing image, and so on; for an unallocated run, the depth of the chain's last image
 * @param hostOffset where the run's bytes start in the file at that depth when they are stored raw there, else -1
 */
public record BlockStatus(long offset, long length, Allocation allocation, boolean compressed, int depth,
                          long hostOffset) {

    /**
     * Checks that the run is well formed.
     *
     * @param offset as the record describes it
     * @param length as the record describes it
     * @param allocation as the record describes it
     * @param compressed as the record describes it
     * @param depth as the record describes it
     * @param hostOffset as the record describes it
     */
    public BlockStatus {
        if (offset < 0 || length <= 0 || depth < 0 || hostOffset < -1 || allocation == null) {
            throw new IllegalArgumentException("invalid block status: offset " + offset + ", length " + length
                    + ", allocation " + allocation + ", depth " + depth + ", host offset " + hostOffset);
        }
    }

    /**
     * True when reading the run gives only zero bytes, so a copy may skip it.
     *
     * @return whether the run reads as zeros
     */
    public boolean readsAsZero() {
        return allocation != Allocation.DATA;
    }

    /**
     * The same run as the image above reports it: one level deeper in the chain. An image whose run is unallocated
     * gives its backing image's status this way.
     *
     * @return this run with {@code depth() + 1}
     */
    public BlockStatus deeper() {
        return new BlockStatus(offset, length, allocation, compressed, depth + 1, hostOffset);
    }

    /**
     * The guest offset just past the run.
     *
     * @return {@code offset() + length()}
     */
    public long end() {
        return offset + length;
    }
}
