package io.qcow4j.fuse;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.Delegate;
import jnr.ffi.types.size_t;

/**
 * A libfuse 2.9 channel on the FUSE device whose {@code send} is Java: libfuse answers a request through the channel it
 * is processed with ({@code fuse_session_process_buf}), so {@link FuseLoop} can choose, request by request, how the
 * answer reaches {@code /dev/fuse}.
 */
final class OwnChannel {

    /** libfuse 2.9's calls for a channel of one's own. */
    public interface LibFuseChannels {
        Pointer fuse_chan_new(Pointer ops, int fd, @size_t long bufsize, Pointer data);

        int fuse_chan_fd(Pointer channel);
    }

    /**
     * {@code int (*send)(struct fuse_chan *ch, const struct iovec iov[], size_t count)} of struct fuse_chan_ops: 0
     * once the answer is written, else minus the error number.
     */
    public interface Send {
        @Delegate
        int send(Pointer channel, Pointer iov, @size_t long count);
    }

    private static final LibFuseChannels LIB = load();

    private final int fd;
    /** Held so that the closure libfuse calls is not collected. */
    private final Send send;
    private final Pointer operations;
    private final Pointer channel;

    private static LibFuseChannels load() {
        try {
            return LibraryLoader.create(LibFuseChannels.class).failImmediately().load("fuse");
        } catch (LinkageError | RuntimeException e) {
            return null;
        }
    }

    private OwnChannel(Pointer deviceChannel, long bufferSize, Send send) {
        Runtime runtime = Runtime.getSystemRuntime();
        this.fd = LIB.fuse_chan_fd(deviceChannel);
        this.send = send;
        // struct fuse_chan_ops { receive; send; destroy; }: only send is ever called on this channel
        this.operations = Memory.allocateDirect(runtime, 3L * runtime.addressSize(), true);
        operations.putPointer(runtime.addressSize(), runtime.getClosureManager().getClosurePointer(Send.class, send));
        this.channel = LIB.fuse_chan_new(operations, fd, bufferSize, null);
    }

    /**
     * A channel on the device {@code deviceChannel} reads from, sending with {@code send}; null when libfuse does not
     * offer the calls.
     */
    static OwnChannel on(Pointer deviceChannel, long bufferSize, Send send) {
        if (LIB == null) {
            return null;
        }
        try {
            OwnChannel own = new OwnChannel(deviceChannel, bufferSize, send);
            return own.channel == null ? null : own;
        } catch (LinkageError | RuntimeException e) {
            return null;
        }
    }

    /** The FUSE device's file descriptor, to write answers to. */
    int fd() {
        return fd;
    }

    /** The {@code struct fuse_chan *} to process requests with. */
    Pointer pointer() {
        return channel;
    }
}
