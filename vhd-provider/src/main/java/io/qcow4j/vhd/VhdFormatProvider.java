package io.qcow4j.vhd;

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
 * Microsoft's VHD (QEMU's vpc): fixed disks, recognised by the footer at their end, and dynamic and differencing
 * disks, whose parent is found from the names the disk stores for it and opened through the chain.
 */
@AutoService(ImageFormatProvider.class)
public final class VhdFormatProvider implements ImageFormatProvider {

    public static final String NAME = "vpc";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProbeResult probe(ByteBuffer start) {
        return VhdFooter.hasCookie(start) ? ProbeResult.RECOGNIZED : ProbeResult.NOT_RECOGNIZED;
    }

    /**
     * A fixed VHD is the disk's bytes and a footer: its cookie, a valid checksum and the fixed type, in the last 512
     * bytes or in the last 511 that Virtual PC before 2004 wrote.
     */
    @Override
    public ProbeResult probeEnd(ByteBuffer end) {
        for (int length : new int[] {VhdFooter.SIZE, VhdFooter.SIZE - 1}) {
            if (end.remaining() >= length) {
                ByteBuffer footer = end.slice(end.limit() - length, length);
                if (VhdFooter.isValid(footer) && footer.getInt(60) == VhdFooter.FIXED) {
                    return ProbeResult.RECOGNIZED;
                }
            }
        }
        return ProbeResult.NOT_RECOGNIZED;
    }

    @Override
    public Image open(Path path, OpenOptions options, OpenContext context) throws IOException {
        return VhdOpener.open(path, options, context);
    }
}
