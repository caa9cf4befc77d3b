package io.qcow4j.cli;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import io.qcow4j.Image;
import io.qcow4j.OpenOptions;
import io.qcow4j.spi.ImageFormatProvider;
import io.qcow4j.spi.OpenContext;
import io.qcow4j.spi.ProbeResult;

/**
 * A provider with bugs, chosen only with {@code -f explode}: proves that a failure no image should cause (a runtime
 * exception, an Error) still ends in one line and exit 1.
 */
public final class ExplodingFormatProvider implements ImageFormatProvider {

    @Override
    public String name() {
        return "explode";
    }

    @Override
    public ProbeResult probe(ByteBuffer start) {
        return ProbeResult.NOT_RECOGNIZED;
    }

    @Override
    public Image open(Path path, OpenOptions options, OpenContext context) {
        if (path.getFileName().toString().contains("overflow")) {
            throw new StackOverflowError();
        }
        throw new IllegalStateException("boom");
    }
}
