package io.qcow4j.qcow2;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.qcow4j.BlockStatus;
import io.qcow4j.Image;
import io.qcow4j.Images;

/**
 * Small images made by {@code fixtures/make-fixtures.sh} with qemu-img, checked against the SHA-256 of qemu-img's raw
 * conversion recorded beside them: the core of the reader is tested even where qemu-img is missing.
 */
class FixtureImagesTest {

    record Fixture(Path image, String sha256) {
        @Override
        public String toString() {
            return image.getFileName().toString();
        }
    }

    static Stream<Fixture> fixtures() throws Exception {
        Path dir = fixtureDir();
        List<String> lines = Files.readAllLines(dir.resolve("expected.sha256"));
        return lines.stream().map(line -> line.split("\\s+"))
                .map(parts -> new Fixture(dir.resolve(parts[1]), parts[0]));
    }

    private static Path fixtureDir() throws URISyntaxException {
        return Path.of(FixtureImagesTest.class.getResource("/fixtures/expected.sha256").toURI()).getParent();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void readsWhatQemuImgRead(Fixture fixture) throws Exception {
        try (Image image = Images.open(fixture.image())) {
            assertThat(image.format()).isEqualTo("qcow2");
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            ByteBuffer chunk = ByteBuffer.allocate(7 * 1024 + 3);
            long at = 0;
            int n;
            while ((n = image.read(chunk.clear(), at)) > 0) {
                sha.update(chunk.flip());
                at += n;
            }
            assertThat(at).isEqualTo(image.size());
            assertThat(HexFormat.of().formatHex(sha.digest())).isEqualTo(fixture.sha256());

            ByteBuffer whole = ByteBuffer.allocate((int) image.size());
            image.readFully(whole, 0);
            for (BlockStatus run : image.map(0, image.size())) {
                if (run.readsAsZero()) {
                    for (long i = run.offset(); i < run.end(); i++) {
                        assertThat(whole.get((int) i)).as("byte %d of zero run %s", i, run).isZero();
                    }
                }
            }
        }
    }
}
