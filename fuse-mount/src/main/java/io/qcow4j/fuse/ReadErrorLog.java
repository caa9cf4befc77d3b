package io.qcow4j.fuse;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reports failed reads: the first with its cause, the rest only counted, so a damaged image cannot flood the log
 * while the mount keeps serving the readable parts.
 */
final class ReadErrorLog {

    private final PrintStream out;
    private final AtomicLong errors = new AtomicLong();

    ReadErrorLog(PrintStream out) {
        this.out = out;
    }

    void failed(long offset, long length, Throwable cause) {
        if (errors.getAndIncrement() == 0) {
            out.println("qcow4j mount: read of " + length + " bytes at offset " + offset + " failed, answered EIO: "
                    + cause + " (further read errors are answered EIO without a message)");
            out.flush();
        }
    }

    long count() {
        return errors.get();
    }
}
