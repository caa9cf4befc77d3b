package io.qcow4j.cli;

import java.io.PrintStream;
import java.util.function.LongSupplier;

import io.qcow4j.convert.ProgressListener;

/**
 * A one-line progress bar on standard error, redrawn in place: percent, bytes, rate and time left.
 * {@link #finish} draws the final state (100%) and ends the line; {@link #endLine} ends it where the conversion
 * stopped short.
 */
final class ProgressBar implements ProgressListener {

    /** Redraw at most this often: a terminal cannot show more, and every redraw costs the worker that reports. */
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int WIDTH = 24;

    private final PrintStream err;
    private final LongSupplier nanoClock;
    private final long start;
    private long lastDraw = Long.MIN_VALUE;
    private int lastLength;

    /** @param nanoClock {@link System#nanoTime} but for tests */
    ProgressBar(PrintStream err, LongSupplier nanoClock) {
        this.err = err;
        this.nanoClock = nanoClock;
        this.start = nanoClock.getAsLong();
    }

    @Override
    public synchronized void progress(long bytesDone, long totalBytes) {
        long now = nanoClock.getAsLong();
        if (lastDraw != Long.MIN_VALUE && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        draw(bytesDone, totalBytes, now);
    }

    /** Draws 100% of {@code totalBytes} and ends the line. */
    synchronized void finish(long totalBytes) {
        draw(totalBytes, totalBytes, nanoClock.getAsLong());
        endLine();
    }

    /** Ends the line a conversion that stopped short left open, so that an error line or the prompt starts clean. */
    synchronized void endLine() {
        if (lastLength > 0) {
            err.print('\n');
            err.flush();
            lastLength = 0;
        }
    }

    private void draw(long done, long total, long now) {
        String line = line(done, total, now - start);
        // spaces wipe what a longer previous line left behind
        err.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
        err.flush();
        lastLength = line.length();
    }

    static String line(long done, long total, long elapsedNanos) {
        double fraction = total == 0 ? 1 : (double) done / total;
        int filled = (int) Math.round(fraction * WIDTH);
        double seconds = elapsedNanos / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        String left = done >= total ? "0:00" : rate > 0 ? duration((long) Math.ceil((total - done) / rate)) : "--:--";
        return String.format("%3d%% [%s%s] %s / %s, %s/s, %s left", (int) Math.floor(fraction * 100),
                "#".repeat(filled), "-".repeat(WIDTH - filled), HumanSize.of(done), HumanSize.of(total),
                HumanSize.of((long) rate), left);
    }

    private static String duration(long seconds) {
        long hours = seconds / 3600;
        return hours > 0 ? String.format("%d:%02d:%02d", hours, seconds / 60 % 60, seconds % 60)
                : String.format("%d:%02d", seconds / 60, seconds % 60);
    }
}
