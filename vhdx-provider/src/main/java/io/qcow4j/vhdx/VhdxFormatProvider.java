package io.qcow4j.vhdx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import com.google.auto.service.AutoService;

import io.qcow4j.Image;
import io.qcow4j.OpenOptions;
import io.qcow4j.spi.ImageFormatProvider;
import io.qcow4j.spi.OpenContext;
import io.qcow4j.spi.ProbeResult;

/**
 * Microsoft's VHDX: fixed, dynamic and differencing disks, every payload block state, 512 and 4096-byte logical
 * sectors; a log left to replay is replayed in memory, the file untouched.
 */
@AutoService(ImageFormatProvider.class)
public final class VhdxFormatProvider implements ImageFormatProvider {

    public static final String NAME = "vhdx";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProbeResult probe(ByteBuffer start) {
        if (start.remaining() < VhdxOpener.SIGNATURE.length) {
            return ProbeResult.NOT_RECOGNIZED;
        }
        for (int i = 0; i < VhdxOpener.SIGNATURE.length; i++) {
            if (start.get(start.position() + i) != VhdxOpener.SIGNATURE[i]) {
                return ProbeResult.NOT_RECOGNIZED;
            }
        }
        return ProbeResult.RECOGNIZED;
    }

    @Override
    public Image open(Path path, OpenOptions options, OpenContext context) throws IOException {
        return VhdxOpener.open(path, options, context);
    }
}
