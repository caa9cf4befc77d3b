package io.qcow4j.nativeaccess;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;


/** How many bytes a file occupies on disk, as {@code du} and qemu-img's {@code actual-size} count them. */
public final class FileAllocation {

    /** {@code struct stat} is 144 bytes on x86_64 and 128 on arm64; both keep {@code st_blocks} at byte 64. */
    private static final int STAT_SIZE = 256;
    private static final int ST_BLOCKS_OFFSET = 64;

    private FileAllocation() {
    }

    /** {@code st_blocks * 512}, or the file's length where libc cannot be asked (or jffi does not load). */
    public static long allocatedBytes(Path path) throws IOException {
        return allocatedBytes(path, LibC.get());
    }

    /** As {@link #allocatedBytes(Path)}, asking {@code libc}; a null one answers the file's length. */
    static long allocatedBytes(Path path, LibC libc) throws IOException {
        if (libc != null && isSupportedArch()) {
            ByteBuffer buf = ByteBuffer.allocateDirect(STAT_SIZE).order(ByteOrder.nativeOrder());
            if (libc.stat(path.toString(), buf) == 0) {
                return buf.getLong(ST_BLOCKS_OFFSET) * 512;
            }
        }
        return Files.size(path);
    }

    private static boolean isSupportedArch() {
        String arch = System.getProperty("os.arch");
        return System.getProperty("os.name").startsWith("Linux")
                && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"));
    }
}
