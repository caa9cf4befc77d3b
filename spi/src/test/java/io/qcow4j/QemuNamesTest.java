package io.qcow4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.qcow4j.FileReference.Role;

/** Where a backing, data or extent file name leads, by QEMU's rules (the process-level check is in LauncherIT). */
class QemuNamesTest {

    private static final Path IMAGE = Path.of("/images/vm/top.qcow2");

    @Test
    void aRelativeBackingNameIsRelativeToTheImagesDirectory() {
        assertThat(backing(IMAGE, "base.qcow2")).isEqualTo(Path.of("/images/vm/base.qcow2"));
        assertThat(backing(IMAGE, "../base.qcow2")).isEqualTo(Path.of("/images/vm/../base.qcow2"));
        assertThat(backing(Path.of("top.qcow2"), "base.qcow2")).isEqualTo(Path.of("base.qcow2"));
        assertThat(backing(IMAGE, "/srv/base.qcow2")).isEqualTo(Path.of("/srv/base.qcow2"));
        // a colon after a slash is no protocol: the name is relative to the image
        assertThat(backing(IMAGE, "./disk:1.raw")).isEqualTo(Path.of("/images/vm/./disk:1.raw"));
        // an extent's name is read as a backing file's
        assertThat(QemuNames.reference(IMAGE, "disk-s001.vmdk", Role.EXTENT).path())
                .isEqualTo(Path.of("/images/vm/disk-s001.vmdk"));
    }

    @Test
    void aBackingNameWithAProtocolPrefixIsTakenFromTheCurrentDirectoryWhereItIsThere() {
        // the module's directory, the tests' current one, has a pom.xml
        assertThat(backing(IMAGE, "file:pom.xml")).isEqualTo(Path.of("pom.xml"));
        assertThat(QemuNames.reference(IMAGE, "json:{...}", Role.BACKING, "pom.xml").path())
                .isEqualTo(Path.of("pom.xml"));
    }

    @Test
    void aBackingNameWithAProtocolPrefixIsLookedForNextToTheImageWhereTheCurrentDirectoryHasNoSuchFile() {
        assertThat(backing(IMAGE, "file:base.qcow2")).isEqualTo(Path.of("/images/vm/base.qcow2"));
        assertThat(backing(IMAGE, "file:/srv/base.qcow2")).isEqualTo(Path.of("/srv/base.qcow2"));
        assertThat(QemuNames.reference(IMAGE, "json:{...}", Role.BACKING, "sub/base.qcow2").path())
                .isEqualTo(Path.of("/images/vm/sub/base.qcow2"));
    }

    @Test
    void aRelativeDataFileNameIsOpenedFromTheCurrentDirectoryElseNextToTheImage() {
        assertThat(dataFile("pom.xml")).isEqualTo(Path.of("pom.xml"));
        assertThat(dataFile("top.data")).isEqualTo(Path.of("/images/vm/top.data"));
        assertThat(dataFile("/srv/top.data")).isEqualTo(Path.of("/srv/top.data"));
        assertThat(dataFile("data.d/")).isEqualTo(Path.of("/images/vm/data.d/."));
        assertThat(dataFile("file:top.data")).isEqualTo(Path.of("/images/vm/top.data"));
    }

    @Test
    void aNameReachedThroughAnotherProtocolLeadsNowhereAndSaysWhy() {
        FileReference nbd = QemuNames.reference(IMAGE, "nbd://host/disk", Role.BACKING);
        assertThat(nbd.path()).isNull();
        assertThat(QemuNames.whyNoPath(nbd)).isEqualTo("/images/vm/top.qcow2: the backing file 'nbd://host/disk' is"
                + " reached through QEMU's 'nbd:' protocol, which this reader does not speak: it opens local files only");
        // QEMU reads disk:1.raw as the unknown protocol 'disk'
        assertThat(QemuNames.reference(IMAGE, "disk:1.raw", Role.DATA_FILE).path()).isNull();
        FileReference json = QemuNames.reference(IMAGE, "json:{\"file\": \"x\"}", Role.BACKING);
        assertThat(json.path()).isNull();
        assertThat(QemuNames.whyNoPath(json)).endsWith("is QEMU's json: options, which the provider of this format"
                + " does not read");
    }

    private static Path backing(Path image, String name) {
        return QemuNames.reference(image, name, Role.BACKING).path();
    }

    private static Path dataFile(String name) {
        return QemuNames.reference(IMAGE, name, Role.DATA_FILE).path();
    }
}
