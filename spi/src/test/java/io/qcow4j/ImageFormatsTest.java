package io.qcow4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.spi.ImageFormatProvider;
import io.qcow4j.spi.OpenContext;
import io.qcow4j.spi.ProbeResult;

/** The registry: providers from a class loader or a list, and what a broken provider does to it. */
class ImageFormatsTest {

    @TempDir
    Path dir;

    /** A provider found through a services file of the test's own; it claims nothing and opens nothing. */
    public static final class NamedProvider implements ImageFormatProvider {
        @Override
        public String name() {
            return "named";
        }

        @Override
        public ProbeResult probe(ByteBuffer start) {
            return ProbeResult.NOT_RECOGNIZED;
        }

        @Override
        public Image open(Path path, OpenOptions options, OpenContext context) {
            throw new UnsupportedOperationException();
        }
    }

    private ClassLoader loaderListing(String... classNames) throws Exception {
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(services.resolve(ImageFormatProvider.class.getName()), String.join("\n", classNames));
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
    }

    @Test
    void aClassLoaderGivesTheProvidersItsServicesFilesName() throws Exception {
        ImageFormats formats = ImageFormats.load(loaderListing(NamedProvider.class.getName()));
        assertThat(formats.provider("named")).get().isInstanceOf(NamedProvider.class);
        assertThat(formats.provider("qcow2")).isEmpty();
    }

    @Test
    void aProviderThatCannotBeLoadedIsLeftOutAndTheOthersStay() throws Exception {
        ImageFormats formats = ImageFormats.load(loaderListing("com.example.Missing", NamedProvider.class.getName(),
                "com.example.AlsoMissing"));
        assertThat(formats.providers()).extracting(ImageFormatProvider::name).containsExactly("named");
    }

    @Test
    void anExplicitListIsKeptInItsOrder() {
        NamedProvider first = new NamedProvider();
        NamedProvider second = new NamedProvider();
        ImageFormats formats = ImageFormats.of(first, second);
        assertThat(formats.providers()).containsExactly(first, second);
        assertThat(formats.provider("named")).containsSame(first);
        assertThat(formats).hasToString("ImageFormats[named, named]");
        assertThatThrownBy(() -> ImageFormats.of(first, null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void anUnknownFormatNamesTheProvidersThereAre() throws Exception {
        Path file = Files.writeString(dir.resolve("disk"), "anything");
        assertThatThrownBy(() -> ImageFormats.of(new NamedProvider()).open(file,
                OpenOptions.builder().format("vmdk").build()))
                .isInstanceOf(UnknownFormatException.class)
                .hasMessage("unknown image format 'vmdk'; providers here: [named]");
        assertThatThrownBy(() -> ImageFormats.of(new NamedProvider()).open(file))
                .isInstanceOf(UnknownFormatException.class)
                .hasMessage(file + ": no image format provider recognises the file");
    }

    /** Claims a file whose last bytes end with "TAIL", or else everything as a fallback, as raw does. */
    private static final class TailProvider implements ImageFormatProvider {
        private final String name;
        private final ProbeResult start;

        TailProvider(String name, ProbeResult start) {
            this.name = name;
            this.start = start;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public ProbeResult probe(ByteBuffer bytes) {
            return start;
        }

        @Override
        public ProbeResult probeEnd(ByteBuffer end) {
            boolean tail = end.remaining() >= 4 && end.get(end.limit() - 4) == 'T' && end.get(end.limit() - 1) == 'L';
            return tail && start != ProbeResult.FALLBACK ? ProbeResult.RECOGNIZED : ProbeResult.NOT_RECOGNIZED;
        }

        @Override
        public Image open(Path path, OpenOptions options, OpenContext context) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void aSignatureAtTheEndWinsOverTheFallbackButNotOverAStart() throws Exception {
        TailProvider fallback = new TailProvider("fallback", ProbeResult.FALLBACK);
        TailProvider tail = new TailProvider("tail", ProbeResult.NOT_RECOGNIZED);
        TailProvider head = new TailProvider("head", ProbeResult.RECOGNIZED);
        Path tailed = Files.write(dir.resolve("tailed"), ("x".repeat(2000) + "TAIL").getBytes());
        Path plain = Files.write(dir.resolve("plain"), "x".repeat(2000).getBytes());
        assertThat(ImageFormats.of(fallback, tail).probe(tailed)).isSameAs(tail);
        assertThat(ImageFormats.of(fallback, tail).probe(plain)).isSameAs(fallback);
        assertThat(ImageFormats.of(tail, head).probe(tailed)).isSameAs(head);
        Path short4 = Files.write(dir.resolve("short"), "TAIL".getBytes());
        assertThat(ImageFormats.of(fallback, tail).probe(short4)).isSameAs(tail);
    }
}
