package io.qcow4j.fuse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

import jnr.ffi.Pointer;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

import io.qcow4j.Image;

/**
 * The file system: a directory holding one read-only regular file whose bytes are the image's guest bytes. libfuse
 * calls it from several threads at once; everything here is immutable or thread-safe.
 */
final class RawFileFs extends FuseStubFS {

    private static final int O_ACCMODE = 3;
    private static final int O_RDONLY = 0;
    private static final int O_TRUNC = 01000;
    private static final int ST_RDONLY = 1;
    private static final int BLOCK = 4096;
    private static final int FI_BIT_FIELDS = 20;
    private static final int FI_DIRECT_IO = 1;
    private static final boolean FI_LAYOUT_KNOWN = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN
            && jnr.ffi.Runtime.getSystemRuntime().addressSize() == 8;

    private final Image image;
    private final String fileName;
    private final String filePath;
    private final long size;
    private final FileMetadata metadata;
    private final AllocatedBytes allocated;
    private final ReadErrorLog errors;
    private final PieceCache reads;
    /** Set during the kernel's handshake, before any file is opened, when direct I/O can serve every reader. */
    private volatile boolean directIo;
    /** Read requests answered, so tests can tell how the kernel cuts reads into requests. */
    private final java.util.concurrent.atomic.LongAdder readRequests = new java.util.concurrent.atomic.LongAdder();
    /** Read answers lent from the piece cache rather than copied, so tests can tell which way answers go. */
    private final java.util.concurrent.atomic.LongAdder lentAnswers = new java.util.concurrent.atomic.LongAdder();
    private final CompletableFuture<Void> initialised = new CompletableFuture<>();

    RawFileFs(Image image, String fileName, FileMetadata metadata, AllocatedBytes allocated, ReadErrorLog errors,
              PieceCache reads) {
        this.image = image;
        this.reads = reads;
        this.fileName = fileName;
        this.filePath = "/" + fileName;
        this.size = image.size();
        this.metadata = metadata;
        this.allocated = allocated;
        this.errors = errors;
        // jnr-fuse wraps fuse_file_info in a new Struct (a dozen objects) on every read; reads do not need it
        fuseOperations.read.set((path, buf, length, offset, fi) -> read(path, buf, length, offset, null));
    }

    /** Completes when the kernel has finished the FUSE handshake: requests are served from then on. */
    CompletableFuture<Void> initialised() {
        return initialised;
    }

    /** The fuse_operations table, for {@link FuseLoop}. */
    jnr.ffi.Struct operations() {
        return fuseOperations;
    }

    /** Tells jnr-fuse the file system is gone, so its shutdown hook does not unmount whatever is there later. */
    void forgetMount() {
        mounted.set(false);
    }

    long readRequests() {
        return readRequests.sum();
    }

    long lentAnswers() {
        return lentAnswers.sum();
    }

    @Override
    public Pointer init(Pointer conn) {
        initialised.complete(null);
        return null;
    }

    @Override
    public int getattr(String path, FileStat stat) {
        if (path.equals("/")) {
            stat.st_mode.set(FileStat.S_IFDIR | 0555);
            stat.st_nlink.set(2);
            stat.st_size.set(BLOCK);
            stat.st_blocks.set(0);
        } else if (path.equals(filePath)) {
            stat.st_mode.set(FileStat.S_IFREG | 0444);
            stat.st_nlink.set(1);
            stat.st_size.set(size);
            stat.st_blocks.set(allocated.blocks());
        } else {
            return -ErrorCodes.ENOENT();
        }
        stat.st_uid.set(metadata.uid());
        stat.st_gid.set(metadata.gid());
        stat.st_blksize.set(BLOCK);
        set(stat.st_atim, metadata.accessed());
        set(stat.st_mtim, metadata.modified());
        set(stat.st_ctim, metadata.changed());
        return 0;
    }

    private static void set(Timespec time, Instant instant) {
        time.tv_sec.set(instant.getEpochSecond());
        time.tv_nsec.set(instant.getNano());
    }

    @Override
    public int fgetattr(String path, FileStat stat, FuseFileInfo fi) {
        return getattr(path, stat);
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filter, @off_t long offset, FuseFileInfo fi) {
        if (!path.equals("/")) {
            return path.equals(filePath) ? -ErrorCodes.ENOTDIR() : -ErrorCodes.ENOENT();
        }
        filter.apply(buf, ".", null, 0);
        filter.apply(buf, "..", null, 0);
        filter.apply(buf, fileName, null, 0);
        return 0;
    }

    @Override
    public int opendir(String path, FuseFileInfo fi) {
        return path.equals("/") ? 0 : path.equals(filePath) ? -ErrorCodes.ENOTDIR() : -ErrorCodes.ENOENT();
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        if (!path.equals(filePath)) {
            return path.equals("/") ? -ErrorCodes.EISDIR() : -ErrorCodes.ENOENT();
        }
        int flags = fi.flags.get();
        if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC) != 0) {
            return -ErrorCodes.EROFS();
        }
        if (directIo) {
            directIo(fi);
        }
        return 0;
    }

    /**
     * Opens the file for direct I/O from now on: every read comes to the file system as it was made, up to 1 MiB a
     * request, and the kernel keeps no second copy of the image's bytes in its page cache. Through the page cache, a
     * sequential reader's pages are allocated, charged and filled one by one and read out again: about a fifth of the
     * machine's CPU on a 2-core machine reading a deflate image, for bytes the reader wanted only once;
     * {@link PieceCache} reads ahead and caches instead. Only for kernels that let such a file be mapped shared
     * (Linux 6.6 on; others refuse {@code MAP_SHARED} with ENODEV, {@code FileChannel.map} among them), and where the
     * bit-field layout below is known.
     */
    void useDirectIo() {
        directIo = FI_LAYOUT_KNOWN;
    }

    /** Sets fuse_file_info's direct_io bit. */
    private static void directIo(FuseFileInfo fi) {
        // fuse_file_info on LP64: int flags; unsigned long fh_old; int writepage; then the bit fields, direct_io first
        // (bit 0 of the word at byte 20 where the first bit field takes the lowest bit: little-endian GCC ABIs)
        Pointer info = jnr.ffi.Struct.getMemory(fi);
        info.putInt(FI_BIT_FIELDS, info.getInt(FI_BIT_FIELDS) | FI_DIRECT_IO);
    }

    @Override
    public int read(String path, Pointer buf, @size_t long length, @off_t long offset, FuseFileInfo fi) {
        if (!path.equals(filePath)) {
            return -ErrorCodes.ENOENT();
        }
        if (offset < 0) {
            return -ErrorCodes.EINVAL();
        }
        if (offset >= size || length <= 0) {
            return 0;
        }
        int wanted = (int) Math.min(Math.min(length, size - offset), Integer.MAX_VALUE);
        readRequests.increment();
        try {
            ByteBuffer dst = NativeBuffers.view(buf.address(), wanted);
            PieceLoan loan = PieceLoan.onThisThread();
            if (loan != null) {
                // the bytes stay where they are; ReadReplies sends them from there
                reads.lend(dst, offset, loan);
                if (loan.segments() > 0) {
                    lentAnswers.increment();
                }
            } else {
                reads.read(dst, offset);
            }
            return wanted;
        } catch (IOException | RuntimeException | Error e) {
            // an Error too: thrown on, it would end the serving thread's loop; this request answers EIO instead
            errors.failed(offset, wanted, e);
            return -ErrorCodes.EIO();
        }
    }

    @Override
    public int statfs(String path, Statvfs stat) {
        stat.f_bsize.set(BLOCK);
        stat.f_frsize.set(BLOCK);
        stat.f_blocks.set((size + BLOCK - 1) / BLOCK);
        stat.f_bfree.set(0);
        stat.f_bavail.set(0);
        stat.f_files.set(2);
        stat.f_ffree.set(0);
        stat.f_favail.set(0);
        stat.f_flag.set(ST_RDONLY);
        stat.f_namemax.set(255);
        return 0;
    }

    // Everything that would change the file system. The kernel already refuses most of these on a read-only mount;
    // answering here too keeps the refusal EROFS (not ENOSYS) whatever the mount options.

    @Override
    public int write(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int truncate(String path, @off_t long size) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int ftruncate(String path, @off_t long size, FuseFileInfo fi) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int create(String path, @mode_t long mode, FuseFileInfo fi) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int mknod(String path, @mode_t long mode, long rdev) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int mkdir(String path, @mode_t long mode) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int unlink(String path) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int rmdir(String path) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int symlink(String oldpath, String newpath) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int link(String oldpath, String newpath) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int rename(String oldpath, String newpath) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int chmod(String path, @mode_t long mode) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int chown(String path, long uid, long gid) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int utimens(String path, Timespec[] timespec) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int setxattr(String path, String name, Pointer value, @size_t long size, int flags) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int removexattr(String path, String name) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int fallocate(String path, int mode, @off_t long off, @off_t long length, FuseFileInfo fi) {
        return -ErrorCodes.EROFS();
    }
}
