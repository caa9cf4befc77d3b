package io.qcow4j.qcow2;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** Where a backing or data file name leads, by QEMU's rules (the process-level check is in LauncherIT). */
class BackingPathTest {

    private static final Path IMAGE = Path.of("/images/vm/top.qcow2");

    @Test
    void aRelativeBackingNameIsRelativeToTheImagesDirectory() {
        assertThat(Qcow2Opener.backingPath(IMAGE, "base.qcow2")).isEqualTo(Path.of("/images/vm/base.qcow2"));
        assertThat(Qcow2Opener.backingPath(IMAGE, "../base.qcow2")).isEqualTo(Path.of("/images/vm/../base.qcow2"));
        assertThat(Qcow2Opener.backingPath(Path.of("top.qcow2"), "base.qcow2")).isEqualTo(Path.of("base.qcow2"));
        assertThat(Qcow2Opener.backingPath(IMAGE, "/srv/base.qcow2")).isEqualTo(Path.of("/srv/base.qcow2"));
        // a colon after a slash is no protocol: the name is relative to the image
        assertThat(Qcow2Opener.backingPath(IMAGE, "./disk:1.raw")).isEqualTo(Path.of("/images/vm/./disk:1.raw"));
    }

    @Test
    void aBackingNameWithAProtocolPrefixIsTakenFromTheCurrentDirectoryWhereItIsThere() {
        // the module's directory, the tests' current one, has a pom.xml
        assertThat(Qcow2Opener.backingPath(IMAGE, "file:pom.xml")).isEqualTo(Path.of("pom.xml"));
        assertThat(Qcow2Opener.backingPath(IMAGE, "json:{\"file\": {\"filename\": \"pom.xml\"}}"))
                .isEqualTo(Path.of("pom.xml"));
    }

    @Test
    void aBackingNameWithAProtocolPrefixIsLookedForNextToTheImageWhereTheCurrentDirectoryHasNoSuchFile() {
        assertThat(Qcow2Opener.backingPath(IMAGE, "file:base.qcow2")).isEqualTo(Path.of("/images/vm/base.qcow2"));
        assertThat(Qcow2Opener.backingPath(IMAGE, "file:/srv/base.qcow2")).isEqualTo(Path.of("/srv/base.qcow2"));
        assertThat(Qcow2Opener.backingPath(IMAGE,
                "json:{\"driver\": \"qcow2\", \"file\": {\"driver\": \"file\", \"filename\": \"sub/base.qcow2\"}}"))
                .isEqualTo(Path.of("/images/vm/sub/base.qcow2"));
    }

    @Test
    void aRelativeDataFileNameIsOpenedFromTheCurrentDirectoryElseNextToTheImage() {
        assertThat(Qcow2Opener.fromCurrentDirectory(IMAGE, "pom.xml")).isEqualTo(Path.of("pom.xml"));
        assertThat(Qcow2Opener.fromCurrentDirectory(IMAGE, "top.data")).isEqualTo(Path.of("/images/vm/top.data"));
        assertThat(Qcow2Opener.fromCurrentDirectory(IMAGE, "/srv/top.data")).isEqualTo(Path.of("/srv/top.data"));
        assertThat(Qcow2Opener.fromCurrentDirectory(IMAGE, "data.d/")).isEqualTo(Path.of("/images/vm/data.d/."));
    }
}
