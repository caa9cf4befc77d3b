package io.qcow4j.vhd.shared;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import io.qcow4j.spi.HostFile;

/**
 * Where an image's bytes are read from: its file, or a view of it (a VHDX file with its log replayed in memory).
 * Positional reads only, safe from many threads.
 */
public interface Storage {

    /** The file behind the view, for messages and {@link io.qcow4j.Image#files()}. */
    Path path();

    /** The bytes readable, as {@link HostFile#size()}. */
    long size();

    /**
     * Reads {@code dst.remaining()} bytes at {@code position}, all inside {@link #size()}.
     *
     * @throws io.qcow4j.CorruptImageException naming {@code what} where they are not
     */
    void readFully(ByteBuffer dst, long position, String what) throws IOException;

    /**
     * Whether block status reports the data stored in the file's holes as zeros, as QEMU's does where a format hands
     * the question down to its file (a fixed VHD, a static VDI); not for a view, nor where QEMU does not ask.
     */
    default boolean holesReadAsZero() {
        return false;
    }

    /** A host file as it is; its holes are data for block status. */
    static Storage of(HostFile file) {
        return of(file, false);
    }

    /** A host file as it is, whose holes block status reports as zeros. */
    static Storage withFileHoles(HostFile file) {
        return of(file, true);
    }

    private static Storage of(HostFile file, boolean holesReadAsZero) {
        return new Storage() {
            @Override
            public Path path() {
                return file.path();
            }

            @Override
            public long size() {
                return file.size();
            }

            @Override
            public void readFully(ByteBuffer dst, long position, String what) throws IOException {
                file.readFully(dst, position, what);
            }

            @Override
            public boolean holesReadAsZero() {
                return holesReadAsZero;
            }
        };
    }
}
