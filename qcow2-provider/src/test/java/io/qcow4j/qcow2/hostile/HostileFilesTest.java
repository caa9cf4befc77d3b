package io.qcow4j.qcow2.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.qcow4j.BackingChainException;
import io.qcow4j.CorruptImageException;
import io.qcow4j.Image;
import io.qcow4j.Images;
import io.qcow4j.OpenOptions;
import io.qcow4j.UnknownFormatException;
import io.qcow4j.UnsafeImageException;
import io.qcow4j.UnsupportedFeatureException;
import io.qcow4j.spi.FileNames;
import io.qcow4j.testing.Qemu;

/**
 * The files an image leads to: containers of formats no provider reads (which read as raw would give the container's
 * bytes, not the disk), special files that would block the open, and names that are not file names here.
 */
class HostileFilesTest {

    private static final OpenOptions FOLLOW = OpenOptions.defaults();
    /** The backing format extension's type: replaced by an unknown type, the overlay declares no format. */
    private static final long BACKING_FORMAT_EXTENSION = 0xe2792acaL;

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        Qemu.require("qemu-img");
    }

    /** Every format qemu-img writes that no provider here reads: by itself, it is refused by name. */
    @ParameterizedTest
    @ValueSource(strings = {"vmdk", "vdi", "vpc", "vhdx", "qed", "parallels"})
    void anImageInAnotherFormatIsRefusedByName(String format) {
        Path image = foreignImage(format);
        assertThat(Outcome.failure(image, FOLLOW)).isExactlyInstanceOf(UnknownFormatException.class)
                .hasMessageContaining("a " + format + " image").hasMessageContaining("name the format raw");
    }

    /** The same as an overlay's backing file with no declared format: QEMU probes it, so must we. */
    @ParameterizedTest
    @ValueSource(strings = {"vmdk", "vdi", "vpc", "vhdx", "qed", "parallels"})
    void aBackingFileInAnotherFormatIsRefusedByName(String format) {
        Path base = foreignImage(format);
        Path overlay = overlayWithoutBackingFormat(base.getFileName().toString());
        assertThat(Outcome.failure(overlay, FOLLOW)).isExactlyInstanceOf(UnknownFormatException.class)
                .hasMessageContaining(base.getFileName() + ": a " + format + " image");
    }

    /** QEMU's first format shares qcow2's magic: it is named, not called a qcow2 image of an unknown version. */
    @Test
    void aQcowVersion1ImageIsRefusedByName() {
        Path image = dir.resolve("old.qcow");
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow", image.toString(), "1M");
        assertThat(Outcome.failure(image, FOLLOW)).isExactlyInstanceOf(UnsupportedFeatureException.class)
                .hasMessage(image + ": a qcow image (version 1, QEMU's first format, not qcow2): convert it with"
                        + " qemu-img convert -O qcow2 first");
    }

    @Test
    void namingTheFormatRawReadsTheContainersBytes() throws IOException {
        Path image = foreignImage("vmdk");
        byte[] file = Files.readAllBytes(image);
        try (Image raw = Images.open(image, OpenOptions.builder().format("raw").build())) {
            ByteBuffer start = ByteBuffer.allocate(512);
            raw.readFully(start, 0);
            assertThat(start.array()).isEqualTo(java.util.Arrays.copyOf(file, 512));
        }
    }

    @Test
    void anEmptyOrFileBackingFormatMeansProbeOrRawAsInQemu() throws IOException {
        Path base = dir.resolve("base.raw");
        Files.write(base, pattern(64 << 10));
        for (String format : new String[] {"", "file"}) {
            Path overlay = dir.resolve("overlay-" + format + ".qcow2");
            Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-u", "-b", "base.raw", "-F", "raw",
                    overlay.toString(), "64k");
            // rewrite the declared format in place: same extension, new length and name
            ImagePatcher patcher = ImagePatcher.of(overlay);
            long extension = patcher.extension(BACKING_FORMAT_EXTENSION);
            patcher.u32(extension + 4, format.length()).bytes(extension + 8, (format + "\0\0\0\0")
                    .getBytes(StandardCharsets.US_ASCII));
            try (Image image = Images.open(overlay)) {
                ByteBuffer all = ByteBuffer.allocate(64 << 10);
                image.readFully(all, 0);
                assertThat(all.array()).as("backing format '%s'", format).isEqualTo(pattern(64 << 10));
            }
        }
    }

    @Test
    void aBackingNameWithQemusFileProtocolPrefixNamesTheFile() throws IOException {
        Files.write(dir.resolve("base.raw"), pattern(64 << 10));
        Path overlay = dir.resolve("overlay.qcow2");
        // absolute: a relative "file:" name is opened from the current directory (LauncherIT checks that)
        String name = "file:" + dir.resolve("base.raw");
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-u", "-b", name, "-F", "raw", overlay.toString(), "64k");
        try (Image image = Images.open(overlay)) {
            assertThat(image.info().backingFilename()).isEqualTo(name);
            ByteBuffer all = ByteBuffer.allocate(64 << 10);
            image.readFully(all, 0);
            assertThat(all.array()).isEqualTo(Files.readAllBytes(Qemu.toRaw(overlay, dir.resolve("qemu.raw"))))
                    .isEqualTo(pattern(64 << 10));
        }
    }

    /** QEMU's other protocols (network block devices, json: driver options) are named, not reported missing. */
    @ParameterizedTest
    @ValueSource(strings = {"nbd://localhost:10809/disk", "nbd+unix:///disk?socket=/run/nbd.sock",
            "https://example.com/disk.img", "ssh://host/disk.img"})
    void aBackingNameThroughAnotherQemuProtocolIsRefusedNamingTheProtocol(String name) {
        Path overlay = dir.resolve("overlay.qcow2");
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-u", "-b", name, "-F", "raw", overlay.toString(), "64k");
        String protocol = name.substring(0, name.indexOf(':'));
        assertThat(Outcome.failure(overlay, FOLLOW)).isExactlyInstanceOf(BackingChainException.class)
                .hasMessage(overlay + ": the backing file '" + name + "' is reached through QEMU's '" + protocol
                        + ":' protocol, which this reader does not speak: it opens local files only");
    }

    /** QEMU's json: names of a local file, nested and flattened (qemu-img 7.2 writes the format in the header too). */
    @ParameterizedTest
    @ValueSource(strings = {
            "{\"driver\": \"qcow2\", \"file\": {\"driver\": \"file\", \"filename\": \"BASE\"}}",
            "{\"file.driver\": \"file\", \"file.filename\": \"BASE\", \"driver\": \"qcow2\"}",
            "{\"file\": {\"filename\": \"BASE\", \"aio\": \"threads\", \"cache\": {\"direct\": false}}}"})
    void aJsonBackingNameOfALocalFileIsRead(String options) throws IOException {
        Path base = Qemu.createQcow2(dir.resolve("base.qcow2"), "1M");
        Qemu.io(base, "qcow2", "write -P 0x41 0 64k", "write -P 0x42 512k 4k");
        String name = "json:" + options.replace("BASE", base.toString());
        Path overlay = dir.resolve("overlay.qcow2");
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-u", "-b", name, "-F", "qcow2", overlay.toString(), "1M");
        Qemu.io(overlay, "qcow2", "write -P 0x43 4k 4k");
        try (Image image = Images.open(overlay)) {
            assertThat(image.info().backingFilename()).isEqualTo(name);
            assertThat(image.info().fullBackingFilename()).isEqualTo(base);
            ByteBuffer all = ByteBuffer.allocate(1 << 20);
            image.readFully(all, 0);
            assertThat(all.array()).isEqualTo(Files.readAllBytes(Qemu.toRaw(overlay, dir.resolve("qemu.raw"))));
            assertThat(all.get(512 << 10)).isEqualTo((byte) 0x42);
        }
    }

    /** What would change the bytes read, or is not a local file, or not JSON, is refused saying so. */
    @ParameterizedTest
    @ValueSource(strings = {
            "{\"driver\": \"nbd\", \"server\": {\"type\": \"inet\"}}|driver 'nbd' is not one this reader has",
            "{\"driver\": \"raw\", \"offset\": 4096, \"file\": {\"filename\": \"/b\"}}|option 'offset' is not supported",
            "{\"file\": {\"driver\": \"https\", \"url\": \"https://x/d\"}}|file.driver 'https' is not QEMU's local",
            "{\"driver\": \"qcow2\"}|it names no file",
            "{\"filename\": \"/a\", \"file.filename\": \"/b\"}|both filename and file.filename",
            "{\"file\": {\"filename\": [\"/a\"]}}|option 'file.filename' is not a string",
            "{\"driver\": \"raw\", \"file\": \"node0\"}|option 'file' is not supported",
            "{'filename': '/a'}|not valid JSON",
            "{\"filename\": \"/a\"} trailing|not valid JSON",
            "[\"/a\"]|not one JSON object"})
    void aJsonBackingNameThatCannotBeReadIsRefusedSayingWhy(String optionsAndWhy) {
        String[] parts = optionsAndWhy.split("\\|");
        String name = "json:" + parts[0];
        Path overlay = dir.resolve("overlay.qcow2");
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-u", "-b", name, "-F", "raw", overlay.toString(), "64k");
        assertThat(Outcome.failure(overlay, FOLLOW)).isExactlyInstanceOf(BackingChainException.class)
                .hasMessageStartingWith(overlay + ": the backing file '" + name + "' (QEMU's json: options) cannot be"
                        + " read: ")
                .hasMessageContaining(parts[1]);
        // the image itself still opens, as for any backing file that cannot be
        try (Image image = Images.open(overlay, OpenOptions.builder().followBacking(false).build())) {
            assertThat(image.info().backingFilename()).isEqualTo(name);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aJsonExternalDataFileNameOfALocalFileIsRead() throws IOException {
        Path image = dir.resolve("image.qcow2");
        Path data = dir.resolve("image.data");
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-o", "data_file=" + data, image.toString(), "1M");
        Qemu.io(image, "qcow2", "write -P 0x3d 64k 64k");
        byte[] expected = Files.readAllBytes(Qemu.toRaw(image, dir.resolve("qemu.raw")));
        Qemu.run("qemu-img", "amend", "-f", "qcow2", "-o",
                // qemu-img's option syntax: a comma in a value is doubled
                "data_file=json:{\"driver\": \"file\",, \"filename\": \"" + data + "\"}", image.toString());
        try (Image opened = Images.open(image)) {
            ByteBuffer all = ByteBuffer.allocate(1 << 20);
            opened.readFully(all, 0);
            assertThat(all.array()).isEqualTo(expected);
            assertThat(all.get(64 << 10)).isEqualTo((byte) 0x3d);
        }
    }

    /** QEMU takes "disk:" for a protocol it does not know and refuses the name, even where such a file exists. */
    @Test
    void aLocalFileWhoseNameLooksLikeAProtocolIsRefusedAsQemuRefusesIt() throws IOException {
        Files.write(dir.resolve("disk:1.raw"), pattern(64 << 10));
        Path overlay = dir.resolve("overlay.qcow2");
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-u", "-b", "disk:1.raw", "-F", "raw",
                overlay.toString(), "64k");
        assertThat(Qemu.runForFailure("qemu-img", "convert", "-O", "raw", overlay.toString(),
                dir.resolve("qemu.raw").toString())).contains("Unknown protocol 'disk'");
        assertThat(Outcome.failure(overlay, FOLLOW)).isExactlyInstanceOf(BackingChainException.class)
                .hasMessage(overlay + ": the backing file 'disk:1.raw' is reached through QEMU's 'disk:' protocol,"
                        + " which this reader does not speak: it opens local files only");
        try (Image alone = Images.open(overlay, OpenOptions.builder().followBacking(false).build())) {
            assertThat(alone.info().backingFilename()).isEqualTo("disk:1.raw");
        }
    }

    @Test
    void anExternalDataFileNameWithQemusFileProtocolPrefixNamesTheFile() throws IOException {
        Path image = dir.resolve("image.qcow2");
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-o", "data_file=file:" + dir.resolve("image.data"),
                image.toString(), "1M");
        Qemu.io(image, "qcow2", "write -P 0x3c 64k 64k");
        try (Image opened = Images.open(image)) {
            ByteBuffer all = ByteBuffer.allocate(1 << 20);
            opened.readFully(all, 0);
            assertThat(all.array()).isEqualTo(Files.readAllBytes(Qemu.toRaw(image, dir.resolve("qemu.raw"))));
            assertThat(all.get(64 << 10)).isEqualTo((byte) 0x3c);
        }
    }

    @Test
    void anExternalDataFileThroughAnotherQemuProtocolIsRefusedNamingTheProtocol() throws IOException {
        Path image = dir.resolve("image.qcow2");
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-o", "data_file=" + dir.resolve("image.data"),
                image.toString(), "1M");
        // the name in the header swapped for a network one, as qemu-img amend would write it
        Qemu.run("qemu-img", "amend", "-f", "qcow2", "-o", "data_file=nbd://localhost/disk", image.toString());
        assertThat(Outcome.failure(image, FOLLOW)).isExactlyInstanceOf(BackingChainException.class)
                .hasMessage(image + ": the external data file 'nbd://localhost/disk' is reached through QEMU's"
                        + " 'nbd:' protocol, which this reader does not speak: it opens local files only");
    }

    @Test
    void aBackingNameEndingInASlashNamesADirectoryNotTheFile() throws IOException {
        Files.write(dir.resolve("base.raw"), pattern(64 << 10));
        Path overlay = dir.resolve("overlay.qcow2");
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-u", "-b", "base.raw/", "-F", "raw", overlay.toString(),
                "64k");
        Qemu.runForFailure("qemu-img", "convert", "-O", "raw", overlay.toString(), dir.resolve("q.raw").toString());
        assertThat(Outcome.failure(overlay, FOLLOW)).isExactlyInstanceOf(BackingChainException.class)
                .hasMessage(overlay + ": cannot open backing file " + dir.resolve("base.raw/.") + ": Not a directory");
    }

    @Test
    void aCharacterDeviceAsBackingFileIsRefusedInOneSentence() {
        Path overlay = dir.resolve("overlay.qcow2");
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-u", "-b", "/dev/zero", "-F", "raw", overlay.toString(),
                "64k");
        assertThat(Outcome.failure(overlay, FOLLOW)).isExactlyInstanceOf(BackingChainException.class)
                .hasMessage(overlay + ": cannot open backing file /dev/zero: not a regular file or block device");
    }

    @Test
    void aFifoAsBackingFileIsRefusedWithoutWaitingForAWriter() {
        Path fifo = fifo("base.fifo");
        Path overlay = dir.resolve("overlay.qcow2");
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-u", "-b", fifo.getFileName().toString(), "-F", "raw",
                overlay.toString(), "1M");
        assertThat(Outcome.failure(overlay, FOLLOW)).isExactlyInstanceOf(BackingChainException.class)
                .hasMessageContaining("base.fifo").hasMessageContaining("not a regular file or block device");
        // unprobed too, and as the image itself
        assertThat(Outcome.failure(fifo, FOLLOW)).isInstanceOf(FileSystemException.class)
                .hasMessageContaining("not a regular file or block device");
        assertThat(Outcome.failure(fifo, OpenOptions.builder().format("qcow2").build()))
                .isInstanceOf(FileSystemException.class).hasMessageContaining("not a regular file or block device");
    }

    @Test
    void aFifoOrADirectoryAsExternalDataFileIsRefused() throws IOException {
        Path image = dir.resolve("image.qcow2");
        // an absolute name: qemu-img would create a relative one in its current directory
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-o", "data_file=" + dir.resolve("image.data"),
                image.toString(), "1M");
        Files.delete(dir.resolve("image.data"));
        fifo("image.data");
        assertThat(Outcome.failure(image, FOLLOW)).isExactlyInstanceOf(BackingChainException.class)
                .hasMessageContaining("external data file").hasMessageContaining("image.data")
                .hasMessageContaining("not a regular file or block device");
        Files.delete(dir.resolve("image.data"));
        Files.createDirectory(dir.resolve("image.data"));
        assertThat(Outcome.failure(image, FOLLOW)).isExactlyInstanceOf(BackingChainException.class)
                .hasMessageContaining("image.data").hasMessageContaining("Is a directory");
    }

    @Test
    void anEmptyExternalDataFileNameIsRefusedAtOpen() throws IOException {
        Path image = dir.resolve("image.qcow2");
        // an absolute name: qemu-img would create a relative one in its current directory
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-o", "data_file=" + dir.resolve("image.data"),
                image.toString(), "1M");
        ImagePatcher patcher = ImagePatcher.of(image);
        long extension = patcher.extension(0x44415441L);
        patcher.bytes(extension + 8, new byte[(int) patcher.get(extension + 4, 4)]);
        assertThat(Outcome.failure(image, FOLLOW)).isExactlyInstanceOf(CorruptImageException.class)
                .hasMessageContaining("external data file but its name is empty");
    }

    /** A name in the locale's encoding opens its file; one this JVM cannot encode is refused by name, not skipped. */
    @Test
    void aNonAsciiBackingNameOpensItsFileOrIsRefusedClearly() throws IOException {
        String name = "b\u00e4se-\u65e5\u672c.raw";
        Path overlay = dir.resolve("overlay.qcow2");
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-u", "-b", name, "-F", "raw", overlay.toString(), "64k");
        if (FileNames.CHARSET.newEncoder().canEncode(name)) {
            Files.write(dir.resolve(name), pattern(64 << 10));
            try (Image image = Images.open(overlay)) {
                ByteBuffer all = ByteBuffer.allocate(64 << 10);
                image.readFully(all, 0);
                assertThat(all.array()).isEqualTo(pattern(64 << 10));
            }
        } else {
            assertThat(Outcome.failure(overlay, FOLLOW)).isExactlyInstanceOf(BackingChainException.class)
                    .hasMessageContaining("file-name encoding");
        }
    }

    @Test
    void aBackingNameThatIsNotInTheFileNameEncodingIsRefusedAndInfoStillOpens() throws IOException {
        Path overlay = dir.resolve("overlay.qcow2");
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-u", "-b", "bXse.raw", "-F", "raw", overlay.toString(),
                "64k");
        ImagePatcher patcher = ImagePatcher.of(overlay);
        // 0xff is in no charset's file names here: not UTF-8, not ASCII
        patcher.u8(patcher.get(HeaderField.BACKING_FILE_OFFSET) + 1, 0xff);
        assertThat(Outcome.failure(overlay, FOLLOW)).isExactlyInstanceOf(BackingChainException.class)
                .hasMessageContaining("cannot open the backing file").hasMessageContaining("file-name encoding");
        assertThat(Outcome.failure(overlay, Outcome.SAFE)).isExactlyInstanceOf(UnsafeImageException.class);
        try (Image image = Images.open(overlay, FOLLOW.toBuilder().followBacking(false).build())) {
            assertThat(image.info().backingFilename()).startsWith("b").endsWith("se.raw");
            assertThat(image.info().fullBackingFilename()).isNull();
        }
    }

    private Path foreignImage(String format) {
        Path image = dir.resolve("disk." + format);
        Qemu.run("qemu-img", "create", "-q", "-f", format, image.toString(), "4M");
        return image;
    }

    /** An overlay naming {@code backing} whose backing format extension is turned into an unknown one. */
    private Path overlayWithoutBackingFormat(String backing) {
        Path overlay = dir.resolve("overlay.qcow2");
        Qemu.run("qemu-img", "create", "-q", "-f", "qcow2", "-u", "-b", backing, "-F", "raw", overlay.toString(),
                "4M");
        ImagePatcher patcher = ImagePatcher.of(overlay);
        patcher.u32(patcher.extension(BACKING_FORMAT_EXTENSION), 0x12345678L);
        return overlay;
    }

    private Path fifo(String name) {
        Path fifo = dir.resolve(name);
        Qemu.run("mkfifo", fifo.toString());
        return fifo;
    }

    private static byte[] pattern(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + (i >>> 9));
        }
        return bytes;
    }
}
