package io.qcow4j.fuse;

import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.qcow4j.Image;
import io.qcow4j.ImageInfo;

/**
 * An {@link Image} served through FUSE as one read-only raw file inside a directory, by this process:
 * <pre>{@code
 * try (Image image = Images.open(Path.of("ubuntu.qcow2"));
 *      RawFileMount mount = RawFileMount.mount(image, Path.of("/mnt/ubuntu"), MountOptions.defaults())) {
 *     // /mnt/ubuntu/ubuntu.raw is readable by any tool until close() or `fusermount -u /mnt/ubuntu`
 *     mount.awaitUnmount();
 * }
 * }</pre>
 *
 * <p>Requests are served by several libfuse threads at once, from a cache of the image's decompressed clusters that
 * is read ahead of sequential readers (see {@link MountOptions#pageCache()} for the kernel's page cache). The file's
 * size is the virtual size, its mode 0444, its owner and times those of the image file, and its {@code st_blocks}
 * counts the image's data runs (so {@code du} shows the sparse size). Writes and every other change answer EROFS;
 * a failed read answers EIO for that request only.
 *
 * <p>The mount does not own the image: close the image after the mount. The serving threads are daemon threads, so
 * a program that mounts and has nothing else to do must call {@link #awaitUnmount()}; a shutdown hook unmounts
 * if the JVM exits first.
 */
public final class RawFileMount implements Closeable {

    /** How long libfuse gets to finish mounting before the mount counts as failed. */
    private static final long MOUNT_TIMEOUT_SECONDS = 30;
    /**
     * Threads serving requests. Most of them wait: the kernel keeps up to 12 requests in flight, and a reader thread
     * spends its time decompressing or in pread.
     */
    private static final int THREADS = Math.min(32, Math.max(8, 2 * Runtime.getRuntime().availableProcessors()));
    /** Threads reading pieces ahead of sequential readers: one per core, as decompressing keeps a core busy. */
    private static final int READ_AHEAD_THREADS = Runtime.getRuntime().availableProcessors();
    /** How long {@link #close()} waits for libfuse's loop to end once unmounted. */
    private static final long UNMOUNT_WAIT_SECONDS = 10;

    private final RawFileFs fs;
    private final ExecutorService readAhead;
    private final Path mountPoint;
    private final Path file;
    private final CompletableFuture<Void> finished;
    private final Unmounter unmounter;
    private final Thread shutdownHook;

    private RawFileMount(RawFileFs fs, ExecutorService readAhead, Path mountPoint, Path file,
                         CompletableFuture<Void> finished, Unmounter unmounter) {
        this.fs = fs;
        this.readAhead = readAhead;
        this.mountPoint = mountPoint;
        this.file = file;
        this.finished = finished;
        this.unmounter = unmounter;
        this.shutdownHook = new Thread(this::unmountOnExit, "qcow4j-fuse-unmount");
    }

    /**
     * Mounts {@code image} on {@code mountPoint} and returns once the raw file answers {@code stat}. Read errors
     * are reported on standard error.
     *
     * @param image the image to serve
     * @param options the file's name and how it is served
     * @return the mount, to close to unmount
     * @param mountPoint an existing, empty directory with nothing mounted on it
     * @throws MountException when the mount cannot start; nothing is left mounted
     */
    public static RawFileMount mount(Image image, Path mountPoint, MountOptions options) throws IOException {
        return mount(image, mountPoint, options, System.err);
    }

    /**
     * As {@link #mount(Image, Path, MountOptions)}, reporting read errors on {@code log}.
     *
     * @param image the image to serve
     * @param mountPoint an existing, empty directory with nothing mounted on it
     * @param options the file's name and how it is served
     * @param log where read errors are reported
     * @return the mount, to close to unmount
     * @throws IOException as {@link #mount(Image, Path, MountOptions)} throws
     */
    public static RawFileMount mount(Image image, Path mountPoint, MountOptions options, PrintStream log)
            throws IOException {
        return mount(image, mountPoint, options, log, Unmounter.system());
    }

    /** As {@link #mount(Image, Path, MountOptions, PrintStream)}, unmounting with {@code unmounter}. */
    static RawFileMount mount(Image image, Path mountPoint, MountOptions options, PrintStream log,
                              Unmounter unmounter) throws IOException {
        Path realMountPoint = MountPoints.checkUsable(mountPoint);
        ImageInfo info = info(image);
        Path imageFile = info != null ? info.filename() : null;
        String fileName = options.fileName()
                .orElseGet(() -> imageFile != null ? MountOptions.defaultFileName(imageFile) : "image.raw");
        // the pool starts its threads on first use only: a mount that fails leaves none behind
        ExecutorService readAhead = PieceCache.readAheadPool(READ_AHEAD_THREADS, fileName);
        int clusterSize = info != null ? Math.max(0, info.clusterSize()) : 0;
        RawFileFs fs = newFileSystem(image, fileName, imageFile, log, new PieceCache(image, clusterSize, readAhead));

        String[] fuseOptions = fuseOptions(options, imageFile != null ? imageFile.toString() : image.format());
        CompletableFuture<Void> finished = FuseLoop.available()
                ? FuseLoop.start(fs.operations(), realMountPoint, options.debug(), fuseOptions, THREADS, fileName,
                        options.pageCache() ? () -> { } : fs::useDirectIo).finished()
                : jnrFuseLoop(fs, realMountPoint, options.debug(), fuseOptions, fileName);
        finished.whenComplete((ignored, failure) -> readAhead.shutdown());

        RawFileMount mount = new RawFileMount(fs, readAhead, realMountPoint, realMountPoint.resolve(fileName),
                finished, unmounter);
        mount.awaitReadable();
        Runtime.getRuntime().addShutdownHook(mount.shutdownHook);
        return mount;
    }

    /**
     * Checks, without mounting, what {@link #mount} checks first: that FUSE is available and {@code mountPoint} is an
     * existing, empty directory with nothing mounted on it (a FUSE mount whose server is gone included). A launcher
     * that mounts from another process calls it before starting that process, to fail with the same one line.
     *
     * @param mountPoint the directory to check
     * @return the mount point's real path
     * @throws MountException naming what is wrong, and what to do where there is something to do
     */
    public static Path checkMountPoint(Path mountPoint) throws MountException {
        return MountPoints.checkUsable(mountPoint);
    }

    /**
     * Unmounts whatever FUSE file system is mounted on {@code mountPoint}, as {@code fusermount -u} does, for a
     * launcher that cleans up after a mount it started in another process: {@code fusermount -u}, else
     * {@code fusermount3 -u}, else {@code umount2} as root; lazily when the file is busy. Nothing when nothing is
     * mounted there.
     *
     * @param mountPoint the directory to unmount
     * @throws MountException when it is still mounted after every way was tried, saying what each answered
     */
    public static void unmount(Path mountPoint) throws MountException {
        Unmounter.cleanUp(mountPoint);
    }

    /**
     * jnr-fuse's own mount, in case libfuse's session calls do not bind: it serves from libfuse's threads, with a
     * JVM attach per request.
     */
    private static CompletableFuture<Void> jnrFuseLoop(RawFileFs fs, Path mountPoint, boolean debug,
                                                       String[] fuseOptions, String fileName) {
        CompletableFuture<Void> finished = new CompletableFuture<>();
        Thread loop = new Thread(() -> {
            try {
                // blocking: libfuse's multi-threaded loop runs here until the file system is unmounted
                fs.mount(mountPoint, true, debug, fuseOptions);
                finished.complete(null);
            } catch (Throwable e) {
                finished.completeExceptionally(e);
            } finally {
                fs.forgetMount();
            }
        }, "qcow4j-fuse-" + fileName);
        loop.setDaemon(true);
        loop.start();
        return finished;
    }

    /** The image's info, or null when it cannot say: the mount then names the file and sizes pieces without it. */
    private static ImageInfo info(Image image) {
        try {
            return image.info();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static RawFileFs newFileSystem(Image image, String fileName, Path imageFile, PrintStream log,
                                           PieceCache reads) throws MountException {
        try {
            return new RawFileFs(image, fileName, FileMetadata.of(imageFile), AllocatedBytes.countInBackground(image),
                    new ReadErrorLog(log), reads);
        } catch (LinkageError | RuntimeException e) {
            throw new MountException("libfuse 2 cannot be loaded (install the libfuse2 package): " + e.getMessage(), e);
        }
    }

    static String[] fuseOptions(MountOptions options, String source) {
        List<String> fuse = new ArrayList<>();
        // ro: the kernel refuses writes itself; kernel_cache: the bytes never change, so cached pages (with
        // --page-cache, or a memory mapping's) stay valid across opens; max_read: requests as large as LargeRequests
        // lets the kernel make; max_readahead: the kernel's own window (the piece cache reads further ahead)
        fuse.add("-oro,kernel_cache,max_read=" + LargeRequests.MAX_PAGES * 4096
                + ",max_readahead=131072,entry_timeout=60,attr_timeout=60"
                + ",negative_timeout=5,subtype=qcow4j,fsname=" + escapeOption(source));
        if (options.allowOther()) {
            // with other users allowed in, let the kernel apply the 0444 / 0555 modes
            fuse.add("-oallow_other,default_permissions");
        }
        return fuse.toArray(String[]::new);
    }

    private static String escapeOption(String value) {
        return value.replace("\\", "\\\\").replace(",", "\\,");
    }

    private void awaitReadable() throws MountException {
        try {
            CompletableFuture.anyOf(fs.initialised(), finished).get(MOUNT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw unmounted(new MountException("cannot mount on " + mountPoint + ": " + rootMessage(e.getCause()),
                    e.getCause()));
        } catch (TimeoutException e) {
            throw unmounted(new MountException("cannot mount on " + mountPoint + ": libfuse did not finish mounting"
                    + " within " + MOUNT_TIMEOUT_SECONDS + " s"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unmounted(new MountException("interrupted while mounting on " + mountPoint));
        }
        if (finished.isDone()) {
            throw new MountException("cannot mount on " + mountPoint + ": libfuse refused (see its message above)");
        }
        try {
            // through the kernel and back: proves the file is served, not just that libfuse started
            Files.size(file);
        } catch (IOException e) {
            throw unmounted(new MountException("mounted on " + mountPoint + " but " + file + " is not readable: " + e,
                    e));
        }
    }

    /** {@code failure}, once whatever did get mounted is unmounted; with why not, should that fail too. */
    private MountException unmounted(MountException failure) {
        try {
            unmount();
        } catch (MountException e) {
            failure.addSuppressed(e);
        }
        return failure;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }

    /**
     * The directory the file system is mounted on, resolved.
     *
     * @return the mount point
     */
    public Path mountPoint() {
        return mountPoint;
    }

    /**
     * The raw file inside {@link #mountPoint()}.
     *
     * @return the raw file
     */
    public Path file() {
        return file;
    }

    /** Read requests the file system has answered (with data or an error, past the file's end or not). */
    long readRequests() {
        return fs.readRequests();
    }

    /** Read answers sent from the piece cache's memory rather than copied into libfuse's buffer. */
    long lentAnswers() {
        return fs.lentAnswers();
    }

    /**
     * Whether the file system is still mounted (not yet unmounted by {@link #close()}, fusermount or umount).
     *
     * @return whether it is mounted
     */
    public boolean isMounted() {
        return !finished.isDone();
    }

    /**
     * Waits until the file system is unmounted, by {@link #close()} or from outside ({@code fusermount -u},
     * {@code umount}).
     *
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public void awaitUnmount() throws InterruptedException {
        try {
            finished.get();
        } catch (ExecutionException e) {
            // the loop ended with an error: unmounted all the same
        }
    }

    /**
     * As {@link #awaitUnmount()}, giving up after {@code timeout}; returns whether it is unmounted.
     *
     * @param timeout the longest wait
     * @return whether it is unmounted
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public boolean awaitUnmount(Duration timeout) throws InterruptedException {
        try {
            finished.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            // unmounted all the same
        } catch (TimeoutException e) {
            return false;
        }
        return true;
    }

    /**
     * Unmounts (lazily when the file is still open) and waits for the serving and read-ahead threads to stop. Does not
     * close the image. Calling it again does nothing once it has succeeded.
     *
     * @throws MountException when the file system cannot be unmounted (no {@code fusermount}, {@code fusermount3} or
     *         permission to call {@code umount2}, say): it is still mounted and served, and the message says why;
     *         closing again tries again, and so does the JVM's exit
     */
    @Override
    public void close() throws IOException {
        unmount();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook is running or about to
        }
    }

    /** The shutdown hook's unmount: the JVM is going, so all that is left to do with a failure is to say it. */
    private void unmountOnExit() {
        try {
            unmount();
        } catch (MountException e) {
            System.err.println("qcow4j: " + e.getMessage());
        }
    }

    private void unmount() throws MountException {
        if (!finished.isDone()) {
            try {
                unmounter.unmount(mountPoint);
            } catch (MountException e) {
                if (!finished.isDone() && MountPoints.isMountPoint(mountPoint)) {
                    throw e;
                }
                // unmounted from outside meanwhile, or never mounted (a failed start)
            }
            try {
                finished.get(UNMOUNT_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // a lazy unmount ends the loop only when the last open file is closed
            }
        }
        fs.forgetMount();
        if (finished.isDone()) {
            // the caller closes the image next: no read-ahead may still be reading it
            readAhead.shutdown();
            try {
                readAhead.awaitTermination(UNMOUNT_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
