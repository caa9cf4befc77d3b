package io.qcow4j.testing;

import java.io.IOException;

/**
 * What a {@link MemoryImage} does before it serves a read inside the disk: wait (on a latch the test holds), or
 * throw to fail the read as a damaged image would. A read that throws is neither served nor logged.
 */
@FunctionalInterface
public interface ReadHook {

    /**
     * Called with the read's guest offset and the number of bytes it will return.
     *
     * @param position the read's guest offset
     * @param length the bytes it will return
     * @throws IOException to fail the read
     */
    void beforeRead(long position, int length) throws IOException;

    /**
     * Fails every read that touches {@code [offset, offset + length)} with an IOException of {@code message}.
     *
     * @param offset the range's first guest offset
     * @param length the range's length
     * @param message the exception's message
     * @return the hook
     */
    static ReadHook failing(long offset, long length, String message) {
        return (position, n) -> {
            if (n > 0 && position < offset + length && position + n > offset) {
                throw new IOException(message);
            }
        };
    }
}
