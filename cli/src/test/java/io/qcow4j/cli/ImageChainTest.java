package io.qcow4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** The names qemu-img prints for backing files, worked out as its {@code path_combine} does. */
class ImageChainTest {

    @Test
    void aRelativeNameFollowsTheOverlaysDirectoryAsTyped() {
        assertThat(ImageChain.combine("images/../top.qcow2", "base.qcow2")).isEqualTo("images/../base.qcow2");
        assertThat(ImageChain.combine("top.qcow2", "sub/base.qcow2")).isEqualTo("sub/base.qcow2");
        assertThat(ImageChain.combine("images/top.qcow2", "/srv/base.qcow2")).isEqualTo("/srv/base.qcow2");
    }

    @Test
    void aNameWithAProtocolPrefixIsTheFullNameAsItIs() {
        assertThat(ImageChain.combine("images/top.qcow2", "file:base.raw")).isEqualTo("file:base.raw");
        assertThat(ImageChain.combine("images/top.qcow2", "nbd://host/disk")).isEqualTo("nbd://host/disk");
        // a slash before the colon: a path, not a protocol
        assertThat(ImageChain.combine("images/top.qcow2", "sub/a:b.raw")).isEqualTo("images/sub/a:b.raw");
    }

    @Test
    void theFileOpenedDropsTheFilePrefixAndLiesBesideTheOverlayWhereTheReaderOpenedItThere() {
        assertThat(ImageChain.opened("images/top.qcow2", "file:base.raw", Path.of("images/base.raw")))
                .isEqualTo("images/base.raw");
        assertThat(ImageChain.opened("images/top.qcow2", "file:/srv/base.raw", Path.of("/srv/base.raw")))
                .isEqualTo("/srv/base.raw");
        assertThat(ImageChain.opened("images/top.qcow2", "base.raw", Path.of("images/base.raw")))
                .isEqualTo("images/base.raw");
        // a name the reader could not open has no file: joined to the overlay's directory as QEMU would
        assertThat(ImageChain.opened("images/top.qcow2", "no\0name", null)).isEqualTo("images/no\0name");
        // opened from the current directory, as QEMU opens it: the name as it is
        assertThat(ImageChain.opened("images/top.qcow2", "file:pom.xml", Path.of("pom.xml"))).isEqualTo("pom.xml");
    }
}
