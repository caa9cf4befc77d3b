package io.qcow4j.vmdk;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

import io.qcow4j.spi.HostFile;
import io.qcow4j.spi.ImageReads;

/** A ZERO extent: sectors with no file, which read as zeros. QEMU skips such lines; VMware's format defines them. */
final class ZeroExtent implements Extent {

    private final long bytes;

    ZeroExtent(long bytes) {
        this.bytes = bytes;
    }

    @Override
    public long bytes() {
        return bytes;
    }

    @Override
    public Run run(long offset, long maxLength) {
        return new Run(Run.Kind.ZERO, maxLength, -1);
    }

    @Override
    public void read(Run run, long offset, ByteBuffer dst) {
        ImageReads.fillZeros(dst);
    }

    @Override
    public HostFile file() {
        return null;
    }

    @Override
    public long grainBytes() {
        return 0;
    }

    @Override
    public boolean compressed() {
        return false;
    }

    @Override
    public Map<String, Object> info() {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("virtual-size", bytes);
        info.put("filename", "");
        info.put("format", ExtentType.ZERO.name());
        return info;
    }
}
