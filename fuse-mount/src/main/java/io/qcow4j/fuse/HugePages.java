package io.qcow4j.fuse;

import java.nio.ByteBuffer;

import io.qcow4j.nativeaccess.LibC;
import io.qcow4j.nativeaccess.NativeLibrary;

/**
 * Direct buffers on transparent huge pages where the kernel offers them. The piece cache's memory is written by the
 * decompressor and read by the kernel for every answer, which first pins its pages one by one
 * ({@code get_user_pages}): on 2 MiB pages that is one page per 2 MiB, and the TLB holds the whole cache. Measured on
 * a 2-core machine reading a deflate image through the mount: about 2 to 5 % more throughput.
 */
final class HugePages {

    static final int SIZE = 2 << 20;

    private HugePages() {
    }

    /**
     * A zeroed direct buffer of {@code length} bytes, on huge pages as far as the kernel grants them: where it does
     * not (no transparent huge pages, an older kernel, less than one huge page asked for), an ordinary one.
     */
    static ByteBuffer allocate(int length) {
        LibC libc = LibC.get();
        if (libc == null || length < SIZE || length > Integer.MAX_VALUE - 2 * SIZE) {
            return ByteBuffer.allocateDirect(length);
        }
        // whole huge pages from an aligned address (alignedSlice also rounds the end down to one)
        int wholePages = (length + SIZE - 1) / SIZE * SIZE;
        ByteBuffer aligned = ByteBuffer.allocateDirect(wholePages + SIZE).alignedSlice(SIZE).limit(length).slice();
        try {
            long start = NativeLibrary.address(aligned);
            // huge pages from now on (Linux 2.6.38), and now for the pages already there (Linux 6.1): a direct
            // buffer is zeroed when allocated
            if (libc.madvise(start, wholePages, LibC.MADV_HUGEPAGE) == 0) {
                libc.madvise(start, wholePages, LibC.MADV_COLLAPSE);
            }
        } catch (LinkageError | RuntimeException e) {
            // advice only: the buffer serves as it is
        }
        return aligned;
    }
}
