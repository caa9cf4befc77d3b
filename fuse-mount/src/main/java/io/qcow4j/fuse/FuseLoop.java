package io.qcow4j.fuse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.PointerByReference;
import jnr.ffi.types.size_t;

/**
 * libfuse's multi-threaded loop, run by Java threads. libfuse's own loop ({@code fuse_main}, which jnr-fuse calls)
 * serves each request from a pthread that the JVM must attach for the callback and detaches right after: every
 * request then pays for a new {@link Thread}, and thread-local state (the reader's decompressor and buffers, the
 * view of libfuse's buffer) is rebuilt for every request. Here a fixed set of Java threads receive and process the
 * requests as {@code fuse_loop_mt}'s workers do, so the callbacks run on threads that stay attached.
 */
final class FuseLoop {

    /** The libfuse 2.9 calls {@code fuse_main} is made of. */
    public interface LibFuseSession {
        Pointer fuse_setup(int argc, Pointer argv, Pointer operations, @size_t long operationsSize,
                           PointerByReference mountpoint, IntByReference multithreaded, Pointer userData);

        void fuse_teardown(Pointer fuse, Pointer mountpoint);

        Pointer fuse_get_session(Pointer fuse);

        Pointer fuse_session_next_chan(Pointer session, Pointer channel);

        @size_t long fuse_chan_bufsize(Pointer channel);

        /** {@code channel} points at a {@code struct fuse_chan *}, in and out. */
        int fuse_session_receive_buf(Pointer session, Pointer buf, Pointer channel);

        void fuse_session_process_buf(Pointer session, Pointer buf, Pointer channel);

        int fuse_session_exited(Pointer session);

        void fuse_session_exit(Pointer session);
    }

    private static final int EINTR = 4;
    /** struct fuse_buf on LP64: size_t size; int flags; void *mem; int fd; off_t pos. */
    private static final int FUSE_BUF_SIZE = 40;
    private static final LibFuseSession LIB = load();

    private final Runtime runtime = Runtime.getSystemRuntime();
    private final List<Pointer> keepAlive = new ArrayList<>();
    private final Pointer fuse;
    private final Pointer mountpoint;
    private final Pointer session;
    private final Pointer channel;
    private final long bufferSize;
    private final LargeRequests largeRequests;
    private final ReadReplies readReplies;
    private final AtomicInteger running = new AtomicInteger();
    private final CompletableFuture<Void> finished = new CompletableFuture<>();

    private static LibFuseSession load() {
        try {
            return LibraryLoader.create(LibFuseSession.class).failImmediately().load("fuse");
        } catch (LinkageError | RuntimeException e) {
            return null;
        }
    }

    /** Whether libfuse 2.9's session calls bind; otherwise jnr-fuse's {@code fuse_main} has to do. */
    static boolean available() {
        return LIB != null;
    }

    private FuseLoop(Pointer fuse, Pointer mountpoint, List<Pointer> argv, Runnable directIoMappable) {
        this.fuse = fuse;
        this.mountpoint = mountpoint;
        this.keepAlive.addAll(argv);
        this.session = LIB.fuse_get_session(fuse);
        this.channel = LIB.fuse_session_next_chan(session, null);
        this.bufferSize = LIB.fuse_chan_bufsize(channel);
        this.largeRequests = LargeRequests.on(channel, bufferSize, directIoMappable);
        this.readReplies = ReadReplies.on(channel, bufferSize, LargeRequests.MAX_PAGES * 4096);
    }

    /**
     * Mounts (libfuse's {@code fuse_setup}: parses the options, mounts, never daemonises with {@code -f}) and starts
     * {@code threads} serving threads. {@code directIoMappable} runs during the kernel's handshake if the kernel lets
     * a file opened for direct I/O be mapped shared (see {@link LargeRequests}).
     *
     * @throws MountException when libfuse refuses; it has printed why on standard error
     */
    static FuseLoop start(Struct operations, Path mountPoint, boolean debug, String[] options, int threads,
                          String name, Runnable directIoMappable) throws MountException {
        Runtime runtime = Runtime.getSystemRuntime();
        List<String> args = new ArrayList<>(List.of("qcow4j", mountPoint.toString(), "-f"));
        if (debug) {
            args.add("-d");
        }
        args.addAll(List.of(options));
        // argv lives as long as the loop: libfuse may keep pointers into it
        List<Pointer> strings = new ArrayList<>();
        Pointer argv = Memory.allocateDirect(runtime, (args.size() + 1) * runtime.addressSize(), true);
        for (int i = 0; i < args.size(); i++) {
            byte[] bytes = args.get(i).getBytes(StandardCharsets.UTF_8);
            Pointer string = Memory.allocateDirect(runtime, bytes.length + 1, true);
            string.put(0, bytes, 0, bytes.length);
            argv.putPointer((long) i * runtime.addressSize(), string);
            strings.add(string);
        }
        argv.putAddress((long) args.size() * runtime.addressSize(), 0L);
        strings.add(argv);

        PointerByReference mountpointOut = new PointerByReference();
        Pointer fuse = LIB.fuse_setup(args.size(), argv, Struct.getMemory(operations), Struct.size(operations),
                mountpointOut, new IntByReference(), null);
        if (fuse == null) {
            throw new MountException("libfuse could not mount on " + mountPoint + MountException.LIBFUSE_MESSAGE_ABOVE);
        }
        FuseLoop loop = new FuseLoop(fuse, mountpointOut.getValue(), strings, directIoMappable);
        loop.running.set(threads);
        for (int i = 0; i < threads; i++) {
            Thread worker = new Thread(loop::serve, "qcow4j-fuse-" + name + "-" + i);
            worker.setDaemon(true);
            worker.start();
        }
        return loop;
    }

    /** Completes once the file system is unmounted and every serving thread has stopped. */
    CompletableFuture<Void> finished() {
        return finished;
    }

    private void serve() {
        Worker worker = new Worker();
        try {
            while (worker.serveOne()) {
                // one request a call: the JIT compiles serveOne after a few requests, where this loop, entered once
                // per thread, would run interpreted until some 60,000 requests
            }
        } catch (Throwable e) {
            LIB.fuse_session_exit(session);
            finished.completeExceptionally(e);
        } finally {
            if (running.decrementAndGet() == 0) {
                // the last thread out unmounts (if still mounted) and frees libfuse's state
                LIB.fuse_teardown(fuse, mountpoint);
                finished.complete(null);
            }
        }
    }

    /** One serving thread's buffers. */
    private final class Worker {
        private final Pointer buffer = Memory.allocateDirect(runtime, bufferSize, true);
        private final Pointer fuseBuf = Memory.allocateDirect(runtime, FUSE_BUF_SIZE, true);
        private final Pointer requestChannel = Memory.allocateDirect(runtime, runtime.addressSize(), true);
        private final PieceLoan loan = readReplies != null ? readReplies.newLoan() : null;

        Worker() {
            PieceLoan.lendOnThisThread(loan);
        }

        /** Receives and answers one request; false once the session has ended. */
        boolean serveOne() {
            if (LIB.fuse_session_exited(session) != 0) {
                return false;
            }
            fuseBuf.putLong(0, bufferSize);
            fuseBuf.putInt(8, 0);
            fuseBuf.putPointer(16, buffer);
            fuseBuf.putInt(24, 0);
            fuseBuf.putLong(32, 0);
            requestChannel.putPointer(0, channel);
            int received = LIB.fuse_session_receive_buf(session, fuseBuf, requestChannel);
            if (received == -EINTR) {
                return true;
            }
            if (received <= 0) {
                // 0: the kernel ended the session (unmounted); below 0: the device failed
                LIB.fuse_session_exit(session);
                return false;
            }
            Pointer replyChannel = requestChannel.getPointer(0);
            if (loan != null && ReadReplies.isRead(buffer)) {
                replyChannel = readReplies.channel();
            } else if (largeRequests != null && LargeRequests.isInit(buffer)) {
                largeRequests.offered(buffer);
                replyChannel = largeRequests.channel();
            }
            LIB.fuse_session_process_buf(session, fuseBuf, replyChannel);
            if (loan != null) {
                // sent, or libfuse answered something else: the pieces go back either way
                loan.release();
            }
            return true;
        }
    }
}
