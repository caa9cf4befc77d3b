package io.qcow4j.convert;

import java.io.IOException;
import java.nio.ByteBuffer;

import io.qcow4j.BlockStatus;
import io.qcow4j.Image;

/**
 * One copying thread: claims segments until none are left or the conversion stops, and copies each with its own
 * direct buffer (reused for every read, so the memory is one buffer per worker). Not shared between threads.
 */
final class Worker implements Runnable {

    private final Conversion conversion;
    private final Image source;
    private final TargetFile target;
    private final ZeroDetector detector;
    private final int bufferSize;
    private ByteBuffer buffer;

    Worker(Conversion conversion, ByteBuffer zeros) {
        this.conversion = conversion;
        this.source = conversion.source();
        this.target = conversion.targetFile();
        ConvertOptions options = conversion.options();
        this.bufferSize = options.bufferSize();
        this.detector = options.sparseSize() == 0 ? null : new ZeroDetector(options.sparseSize(), zeros);
    }

    @Override
    public void run() {
        try {
            long size = conversion.size();
            long segmentSize = conversion.options().segmentSize();
            while (!conversion.stopping()) {
                long start = conversion.claimSegment();
                if (start >= size) {
                    break;
                }
                copySegment(start, Math.min(size, start + segmentSize));
            }
        } catch (ConversionException e) {
            conversion.fail(e);
        } catch (RuntimeException | Error e) {
            conversion.fail(new ConversionException("conversion failed: " + e, e));
        } finally {
            conversion.workerEnded();
        }
    }

    /**
     * Copies {@code [start, end)}: consecutive runs of the same kind (data, or reading as zero) are merged first, so
     * that small clusters still make large reads and few hole punches.
     */
    private void copySegment(long start, long end) throws ConversionException {
        BlockStatus next = status(start, end);
        while (next != null && !conversion.stopping()) {
            boolean zero = next.readsAsZero();
            long runStart = next.offset();
            long runEnd = Math.min(next.end(), end);
            next = null;
            while (runEnd < end) {
                BlockStatus status = status(runEnd, end);
                if (status.readsAsZero() != zero) {
                    next = status;
                    break;
                }
                runEnd = Math.min(status.end(), end);
            }
            if (zero) {
                zeroRange(runStart, runEnd - runStart);
                conversion.done(runEnd - runStart);
            } else {
                copyData(runStart, runEnd);
            }
        }
    }

    private BlockStatus status(long offset, long end) throws ConversionException {
        BlockStatus status;
        try {
            status = source.blockStatus(offset, end - offset);
        } catch (IOException | RuntimeException e) {
            throw Failures.source(source, offset, e);
        }
        if (status.offset() != offset) {
            throw Failures.source(source, offset, new IllegalStateException("block status for offset " + offset
                    + " describes a run at " + status.offset()));
        }
        return status;
    }

    private void copyData(long start, long end) throws ConversionException {
        if (buffer == null) {
            // allocated on the first data: a worker that only sees holes needs none
            buffer = ByteBuffer.allocateDirect(bufferSize);
        }
        long at = start;
        while (at < end && !conversion.stopping()) {
            int length = (int) Math.min(bufferSize, end - at);
            buffer.clear().limit(length);
            try {
                source.readFully(buffer, at);
            } catch (IOException | RuntimeException e) {
                throw Failures.source(source, at, e);
            }
            conversion.read(length);
            buffer.flip();
            if (conversion.stopping()) {
                // cancelled while reading: the read data is not written
                return;
            }
            writeData(buffer, at);
            conversion.done(length);
            at += length;
        }
    }

    /** Writes the buffer's non-zero runs; its zero runs become holes (or zeros, per the target). */
    private void writeData(ByteBuffer data, long guest) throws ConversionException {
        int limit = data.limit();
        if (detector == null) {
            write(data, 0, limit, guest);
            return;
        }
        int at = 0;
        while (at < limit) {
            if (detector.startsZero(data, at, guest)) {
                int end = detector.zeroRunEnd(data, at, guest);
                zeroRange(guest + at, end - at);
                at = end;
            } else {
                int end = detector.dataRunEnd(data, at, guest);
                write(data, at, end, guest + at);
                at = end;
            }
        }
    }

    private void write(ByteBuffer data, int from, int to, long position) throws ConversionException {
        try {
            target.write(data.slice(from, to - from), position);
        } catch (IOException | RuntimeException e) {
            throw Failures.target(target.path(), "writing", position, e);
        }
        conversion.written(to - from);
    }

    private void zeroRange(long position, long length) throws ConversionException {
        try {
            conversion.written(target.zero(position, length));
        } catch (IOException | RuntimeException e) {
            throw Failures.target(target.path(), "making a range zero", position, e);
        }
        conversion.zero(length);
    }
}
