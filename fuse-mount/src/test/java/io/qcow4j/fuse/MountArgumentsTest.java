package io.qcow4j.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.qcow4j.FilePolicy;
import io.qcow4j.OpenOptions;
import io.qcow4j.qcow2.Qcow2Options;

class MountArgumentsTest {

    @Test
    void parsesEveryOption() {
        MountArguments.Parsed parsed = MountArguments.parse(new String[] {"--name", "d.raw", "-f", "--allow-other",
            "--debug", "--page-cache", "--safe", "--format=qcow2", "--l2-cache-size", "32M", "--snapshot", "s1",
            "img.qcow2", "mnt"});
        MountRequest request = parsed.request();
        assertThat(request.image()).isEqualTo(Path.of("img.qcow2"));
        assertThat(request.mountPoint()).isEqualTo(Path.of("mnt"));
        assertThat(request.openOptions()).isEqualTo(OpenOptions.builder().format("qcow2")
                .filePolicy(FilePolicy.refuseOtherFiles()).set(Qcow2Options.L2_CACHE_SIZE, 32L << 20).snapshot("s1").build());
        assertThat(request.mountOptions()).isEqualTo(new MountOptions("d.raw", true, true, true, true));
        assertThat(parsed.reportReady()).isFalse();
    }

    @Test
    void defaultsNameTheFileAfterTheImage() {
        MountRequest request = MountArguments.parse(new String[] {"/images/ubuntu.qcow2", "/mnt"}).request();
        assertThat(request.openOptions()).isEqualTo(OpenOptions.defaults());
        assertThat(request.mountOptions()).isEqualTo(MountOptions.defaults());
        assertThat(request.fileName()).isEqualTo("ubuntu.raw");
        assertThat(MountOptions.defaultFileName(Path.of("disk"))).isEqualTo("disk.raw");
        assertThat(MountOptions.defaultFileName(Path.of("a.b.vmdk"))).isEqualTo("a.b.raw");
        assertThat(MountOptions.defaultFileName(Path.of(".hidden"))).isEqualTo(".hidden.raw");
    }

    @Test
    void theChildsCommandLineParsesBackToTheSameRequestInTheForeground() {
        MountRequest request = new MountRequest(Path.of("a b.qcow2"), Path.of("m,n"),
                OpenOptions.builder().format("qcow2").filePolicy(FilePolicy.refuseOtherFiles())
                        .set(Qcow2Options.L2_CACHE_SIZE, 12345L).snapshot("snap shot").build(), new MountOptions(null, true, false, false, true));
        MountArguments.Parsed child = MountArguments.parse(
                MountArguments.forChild(request, request.fileName()).toArray(String[]::new));
        assertThat(child.reportReady()).isTrue();
        assertThat(child.request()).isEqualTo(new MountRequest(Path.of("a b.qcow2").toAbsolutePath(),
                Path.of("m,n").toAbsolutePath(), request.openOptions(), new MountOptions("a b.raw", true, false,
                true, true)));
    }

    @Test
    void sizesTakeBinaryUnits() {
        assertThat(MountArguments.parseSize("4096")).isEqualTo(4096);
        assertThat(MountArguments.parseSize("512k")).isEqualTo(512L << 10);
        assertThat(MountArguments.parseSize("8M")).isEqualTo(8L << 20);
        assertThat(MountArguments.parseSize("1GB")).isEqualTo(1L << 30);
        assertThatThrownBy(() -> MountArguments.parseSize("lots")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid size 'lots'");
        assertThatThrownBy(() -> MountArguments.parseSize("-1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsWhatItDoesNotUnderstand() {
        assertThatThrownBy(() -> MountArguments.parse(new String[] {"img"}))
                .hasMessage("expected IMAGE and MOUNTPOINT, got 1 argument(s)");
        assertThatThrownBy(() -> MountArguments.parse(new String[] {"--bogus", "img", "mnt"}))
                .hasMessage("unknown option --bogus");
        assertThatThrownBy(() -> MountArguments.parse(new String[] {"img", "mnt", "--name"}))
                .hasMessage("option --name needs a value");
        assertThatThrownBy(() -> MountArguments.parse(new String[] {"img", "mnt", "--safe=yes"}))
                .hasMessage("option --safe takes no value");
        assertThatThrownBy(() -> MountArguments.parse(new String[] {"img", "mnt", "--name", "a/b"}))
                .hasMessageStartingWith("invalid file name 'a/b'");
        assertThat(MountArguments.parse(new String[] {"--help"}).help()).isTrue();
    }
}
