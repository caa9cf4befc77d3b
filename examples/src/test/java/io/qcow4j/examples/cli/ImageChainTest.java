package io.qcow4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
    void theFileOpenedDropsTheFilePrefixAndLiesBesideTheOverlayWhereTheCurrentDirectoryHasNoSuchFile() {
        assertThat(ImageChain.opened("images/top.qcow2", "file:base.raw")).isEqualTo("images/base.raw");
        assertThat(ImageChain.opened("images/top.qcow2", "file:/srv/base.raw")).isEqualTo("/srv/base.raw");
        assertThat(ImageChain.opened("images/top.qcow2", "base.raw")).isEqualTo("images/base.raw");
        assertThat(ImageChain.opened("images/top.qcow2", "no\0name")).isEqualTo("images/no\0name");
        // the module's directory, the tests' current one, has a pom.xml: the name as it is, as QEMU opens it
        assertThat(ImageChain.opened("images/top.qcow2", "file:pom.xml")).isEqualTo("pom.xml");
    }
}
