package io.qcow4j.convert;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.testing.MemoryImage;

class SyncTest {

    @TempDir
    Path dir;

    @Test
    void syncedConversionWritesTheSameBytes() throws IOException {
        MemoryImage image = MemoryImage.builder(3L << 20).data(512, 1 << 20).zero(2L << 20, 4096).build();
        Path plain = dir.resolve("plain.raw");
        Path synced = dir.resolve("synced.raw");
        Converter.convert(image, plain, ConvertOptions.defaults());
        ConvertResult result = Converter.convert(image, synced, ConvertOptions.builder().sync(true).build());
        assertThat(Files.mismatch(plain, synced)).isEqualTo(-1L);
        assertThat(Files.readAllBytes(synced)).isEqualTo(image.contents());
        assertThat(result.bytesRead()).isEqualTo(1 << 20);
    }
}
