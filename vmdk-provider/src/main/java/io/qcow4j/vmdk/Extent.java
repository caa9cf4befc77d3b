package io.qcow4j.vmdk;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;

import io.qcow4j.spi.HostFile;

/** One extent of a disk: a range of its sectors, kept in a file of its own layout or in none. */
interface Extent extends Closeable {

    /** The extent's size in bytes. */
    long bytes();

    /**
     * The run that starts at {@code offset} (within the extent) and spans at most {@code maxLength} bytes, which the
     * caller keeps inside the extent.
     *
     * @throws io.qcow4j.CorruptImageException when the tables that map it are damaged, or the run lies in a part
     *                                         of a truncated stream that is not there
     */
    Run run(long offset, long maxLength) throws IOException;

    /**
     * Fills {@code dst} (position to limit, at most {@code run}'s length) with the bytes of a {@link Run.Kind#DATA} or
     * {@link Run.Kind#COMPRESSED} run that starts at {@code offset}.
     */
    void read(Run run, long offset, ByteBuffer dst) throws IOException;

    /** The extent's file, or null for a ZERO extent. */
    HostFile file();

    /** The grain size in bytes, or 0 for an extent without grains. */
    long grainBytes();

    /** Whether its grains are compressed. */
    boolean compressed();

    /** The extent as {@code qemu-img info --output=json} lists it, in qemu-img's key order. */
    Map<String, Object> info();

    /** Releases what the extent holds besides its file (which the image closes). */
    @Override
    default void close() throws IOException {
    }
}
