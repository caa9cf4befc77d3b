package io.qcow4j.vmdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.qcow4j.spi.ProbeResult;

class VmdkProbeTest {

    private static ProbeResult probe(String text) {
        return new VmdkFormatProvider().probe(ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"KDMV\u0001\0\0\0", "COWD\u0001\0\0\0", "# Disk DescriptorFile\nversion=1\n",
        "version=2\n", "version=3\r\n", "#x\n  \n\t\r\n\nversion=1\nCID=1\n", "# Disk DescriptorFile\nCID=1\n",
        "createType = \"vmfs\"\n", "   version = 1\n", "  # indented comment\nparentCID=ffffffff\n"})
    void recognises(String start) {
        assertThat(probe(start)).isEqualTo(ProbeResult.RECOGNIZED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "KDM", "QFI\u00fb\0\0\0\3", "version=4\n", "version=1", "hello world\n",
        "ddb.adapterType = \"ide\"\n", "# a comment that never ends", "CID=\n", "=1\n"})
    void refuses(String start) {
        assertThat(probe(start)).isEqualTo(ProbeResult.NOT_RECOGNIZED);
    }
}
