package io.qcow4j.qcow2.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

import io.qcow4j.qcow2.write.Qcow2OptionsParser.Parsed;
import io.qcow4j.qcow2.write.Qcow2OptionsParser.Preallocation;
import io.qcow4j.testing.Qemu;

class Qcow2OptionsParserTest {

    private static final String SIZE_HINT = "\nOptional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, "
            + "peta-\nand exabytes, respectively.";

    @Test
    void emptyListIsQemuImgsDefaults() {
        Parsed parsed = Qcow2OptionsParser.parse("");
        assertThat(parsed.options().clusterSize()).isEqualTo(65536);
        assertThat(parsed.options().compat()).isEqualTo(Qcow2Options.Compat.V1_1);
        assertThat(parsed.options().compressionType()).isEqualTo(CompressionType.ZLIB);
        assertThat(parsed.options().extendedL2()).isFalse();
        assertThat(parsed.options().lazyRefcounts()).isFalse();
        assertThat(parsed.options().refcountBits()).isEqualTo(16);
        assertThat(parsed.options().backingFile()).isEmpty();
        assertThat(parsed.options().backingFormat()).isEmpty();
        assertThat(parsed.size()).isEmpty();
        assertThat(parsed.preallocation()).isEqualTo(Preallocation.OFF);
    }

    @Test
    void everyOption() {
        Parsed parsed = Qcow2OptionsParser.parse("cluster_size=2M,compat=1.1,compression_type=zstd,extended_l2=on,"
                + "lazy_refcounts=on,refcount_bits=64,backing_file=base.qcow2,backing_fmt=qcow2,size=10G,"
                + "preallocation=metadata,nocow=on,extent_size_hint=1M");
        Qcow2Options options = parsed.options();
        assertThat(options.clusterSize()).isEqualTo(2 << 20);
        assertThat(options.compressionType()).isEqualTo(CompressionType.ZSTD);
        assertThat(options.extendedL2()).isTrue();
        assertThat(options.lazyRefcounts()).isTrue();
        assertThat(options.refcountBits()).isEqualTo(64);
        assertThat(options.backingFile()).contains("base.qcow2");
        assertThat(options.backingFormat()).contains("qcow2");
        assertThat(parsed.size()).isEqualTo(OptionalLong.of(10L << 30));
        assertThat(parsed.preallocation()).isEqualTo(Preallocation.METADATA);

        assertThat(Qcow2OptionsParser.parse("compat=0.10").options().compat()).isEqualTo(Qcow2Options.Compat.V0_10);
        assertThat(Qcow2OptionsParser.parse("compat=v2").options().compat()).isEqualTo(Qcow2Options.Compat.V0_10);
        assertThat(Qcow2OptionsParser.parse("compat=v3").options().compat()).isEqualTo(Qcow2Options.Compat.V1_1);
        assertThat(Qcow2OptionsParser.parse("compression_type=zlib").options().compressionType())
                .isEqualTo(CompressionType.ZLIB);
        for (Preallocation mode : Preallocation.values()) {
            assertThat(Qcow2OptionsParser.parse("preallocation=" + mode.optionName()).preallocation())
                    .isEqualTo(mode);
        }
        assertThat(Preallocation.FULL.allocatesData()).isTrue();
        assertThat(Preallocation.FALLOC.allocatesData()).isTrue();
        assertThat(Preallocation.METADATA.allocatesData()).isFalse();
    }

    @Test
    void startsFromTheBaseGiven() {
        Qcow2Options base = Qcow2Options.builder().backingFile("b.qcow2").refcountBits(8).build();
        Qcow2Options options = Qcow2OptionsParser.parse("cluster_size=4k", base).options();
        assertThat(options.backingFile()).contains("b.qcow2");
        assertThat(options.refcountBits()).isEqualTo(8);
        assertThat(options.clusterSize()).isEqualTo(4096);
    }

    @Test
    void sizesTakeQemusSuffixesFractionsAndHex() {
        assertThat(clusterSize("65536")).isEqualTo(65536);
        assertThat(clusterSize("64k")).isEqualTo(65536);
        assertThat(clusterSize("64K")).isEqualTo(65536);
        assertThat(clusterSize("65536b")).isEqualTo(65536);
        assertThat(clusterSize("2M")).isEqualTo(2 << 20);
        assertThat(clusterSize("0.5M")).isEqualTo(512 << 10);
        assertThat(clusterSize("1.k")).isEqualTo(1024);
        assertThat(clusterSize("0x800")).isEqualTo(2048);
        assertThat(clusterSize(" 4096")).isEqualTo(4096);
        assertThat(clusterSize("+4096")).isEqualTo(4096);
        assertThat(clusterSize("1.00000000000000000001M")).isEqualTo(1 << 20);
        assertThat(QemuOptionValues.size("size", "1.5k")).isEqualTo(1536);
        assertThat(QemuOptionValues.size("size", "1E")).isEqualTo(1L << 60);
        assertThat(QemuOptionValues.size("size", "1.5e")).isEqualTo(3L << 59);
        assertThat(QemuOptionValues.size("size", "15E")).isEqualTo(15L << 60);
        assertThat(QemuOptionValues.size("size", "1.0")).isEqualTo(1);
        // a third of a KiB, 341.33 bytes, rounds to the nearest byte as QEMU's fixed point does
        assertThat(QemuOptionValues.size("size", "0.3333333333333333k")).isEqualTo(341);
        assertThat(QemuOptionValues.size("size", "0.0005k")).isEqualTo(1);
    }

    @Test
    void badSizesAreRefusedWithQemusMessages() {
        for (String bad : List.of("abc", "", "64kB", "-1", "1.5", "65536 ", ".5M", "1k5", "0x", "0x.5k", "1.5e3k",
                "inf", "1.nank", "64k,,x")) {
            assertThatThrownBy(() -> Qcow2OptionsParser.parse("cluster_size=" + bad.replace(",,", ",,")))
                    .as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Parameter 'cluster_size' expects a non-negative number below 2^64" + SIZE_HINT);
        }
        for (String huge : List.of("16E", "99999999999999999999")) {
            assertThatThrownBy(() -> Qcow2OptionsParser.parse("cluster_size=" + huge))
                    .hasMessage("Value '" + huge + "' is out of range for parameter 'cluster_size'");
        }
        for (String wrong : List.of("1000", "4M", "0", "256", "1.0", "1e", "4.5k")) {
            assertThatThrownBy(() -> Qcow2OptionsParser.parse("cluster_size=" + wrong))
                    .as(wrong).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("Cluster size must be a power of two between 512 and 2048k");
        }
    }

    @Test
    void refcountBitsAreNumbersOfAnyBase() {
        assertThat(refcountBits("1")).isEqualTo(1);
        assertThat(refcountBits("64")).isEqualTo(64);
        assertThat(refcountBits("0x10")).isEqualTo(16);
        assertThat(refcountBits("010")).isEqualTo(8);
        assertThat(refcountBits(" +8")).isEqualTo(8);
        for (String bad : List.of("x", "8k", "8 ", "", "08")) {
            assertThatThrownBy(() -> Qcow2OptionsParser.parse("refcount_bits=" + bad)).as(bad)
                    .hasMessage("Parameter 'refcount_bits' expects a number");
        }
        assertThatThrownBy(() -> Qcow2OptionsParser.parse("refcount_bits=18446744073709551616"))
                .hasMessage("Value '18446744073709551616' is too large for parameter 'refcount_bits'");
        for (String wrong : List.of("3", "128", "0", "-1", "-16")) {
            assertThatThrownBy(() -> Qcow2OptionsParser.parse("refcount_bits=" + wrong)).as(wrong)
                    .hasMessageStartingWith("Refcount width must be a power of two and may not exceed 64 bits");
        }
    }

    @Test
    void booleansAreQapis() {
        for (String on : List.of("on", "yes", "true", "y")) {
            assertThat(Qcow2OptionsParser.parse("extended_l2=" + on).options().extendedL2()).isTrue();
        }
        for (String off : List.of("off", "no", "false", "n")) {
            assertThat(Qcow2OptionsParser.parse("lazy_refcounts=" + off).options().lazyRefcounts()).isFalse();
        }
        assertThat(Qcow2OptionsParser.parse("extended_l2").options().extendedL2()).isTrue();
        assertThat(Qcow2OptionsParser.parse("extended_l2,noextended_l2").options().extendedL2()).isFalse();
        assertThat(Qcow2OptionsParser.parse("extended_l2=off,extended_l2").options().extendedL2()).isTrue();
        for (String bad : List.of("ON", "maybe", "1", "")) {
            assertThatThrownBy(() -> Qcow2OptionsParser.parse("lazy_refcounts=" + bad)).as(bad)
                    .hasMessage("Parameter 'lazy_refcounts' expects 'on' or 'off'");
        }
    }

    @Test
    void theListIsQemusCommasEscapesAndLastWins() {
        assertThat(Qcow2OptionsParser.parse("cluster_size=4k,cluster_size=8k").options().clusterSize())
                .isEqualTo(8192);
        assertThat(Qcow2OptionsParser.parse("backing_file=a,,b.qcow2,cluster_size=4k").options().backingFile())
                .contains("a,b.qcow2");
        assertThat(Qcow2OptionsParser.parse("backing_file=").options().backingFile()).contains("");
        assertThat(Qcow2OptionsParser.parse("id=whatever,refcount_bits=8").options().refcountBits()).isEqualTo(8);
        assertThatThrownBy(() -> Qcow2OptionsParser.parse("foo=bar"))
                .hasMessage("Invalid parameter 'foo'");
        assertThatThrownBy(() -> Qcow2OptionsParser.parse("foo=bar"))
                .isInstanceOfSatisfying(Qcow2OptionsParser.InvalidOptionsException.class, e -> assertThat(
                        e.formatLine()).isEqualTo("Invalid options for file format 'qcow2'"));
        assertThatThrownBy(() -> Qcow2OptionsParser.parse("=5")).hasMessage("Invalid parameter ''");
        assertThatThrownBy(() -> Qcow2OptionsParser.parse("help")).hasMessage("Invalid parameter 'help'");
        // QEMU takes any name starting with "no" alone as that name without it, off
        assertThatThrownBy(() -> Qcow2OptionsParser.parse("nocow")).hasMessage("Invalid parameter 'cow'");
        for (String list : List.of(",", ",cluster_size=4k", "cluster_size=4k,", "cluster_size=4k,,,")) {
            assertThatThrownBy(() -> Qcow2OptionsParser.parse(list)).as(list)
                    .hasMessage("Invalid option list: " + list);
        }
        assertThat(Qcow2OptionsParser.join(List.of("cluster_size=4k", "refcount_bits=8")))
                .isEqualTo("cluster_size=4k,refcount_bits=8");
        assertThatThrownBy(() -> Qcow2OptionsParser.join(List.of("cluster_size=4k", "")))
                .hasMessage("Invalid option list: ");
    }

    @Test
    void otherValuesAndCombinationsAreRefusedAsQemuImgCreateRefusesThem() {
        assertThatThrownBy(() -> Qcow2OptionsParser.parse("compat=1.2"))
                .hasMessage("Parameter 'version' does not accept value '1.2'");
        assertThatThrownBy(() -> Qcow2OptionsParser.parse("compression_type=lz4"))
                .hasMessage("Parameter 'compression-type' does not accept value 'lz4'");
        assertThatThrownBy(() -> Qcow2OptionsParser.parse("preallocation=bogus"))
                .hasMessage("Parameter 'preallocation' does not accept value 'bogus'");
        assertThatThrownBy(() -> Qcow2OptionsParser.parse("compat=0.10,refcount_bits=8"))
                .hasMessageStartingWith("Different refcount widths than 16 bits require compatibility level 1.1");
        assertThatThrownBy(() -> Qcow2OptionsParser.parse("extended_l2=on,cluster_size=8k"))
                .hasMessage("Extended L2 entries are only supported with cluster sizes of at least 16384 bytes");
        assertThatThrownBy(() -> Qcow2OptionsParser.parse("backing_fmt=raw"))
                .hasMessage("Backing format cannot be used without backing file");
        assertThatThrownBy(() -> Qcow2OptionsParser.parse("compat=0.10,lazy_refcounts=on"))
                .hasMessageStartingWith("Lazy refcounts only supported with compatibility level 1.1");
        assertThatThrownBy(() -> Qcow2OptionsParser.parse("compat=0.10,compression_type=zstd"))
                .hasMessageStartingWith("Non-zlib compression type is only supported with compatibility level 1.1");
        assertThatThrownBy(() -> Qcow2OptionsParser.parse("compat=0.10,extended_l2=on"))
                .hasMessageStartingWith("Extended L2 entries are only supported with compatibility level 1.1");
    }

    @Test
    void externalDataFilesAndEncryptionAreRefusedAsNotWritten() {
        for (String option : List.of("data_file=x", "data_file_raw=on", "encryption=on", "encrypt.format=luks",
                "encrypt.key-secret=sec0", "encrypt.iter-time=10")) {
            assertThatThrownBy(() -> Qcow2OptionsParser.parse(option)).as(option)
                    .hasMessageStartingWith("qcow4j does not write ");
        }
        assertThat(Qcow2OptionsParser.parse("data_file_raw=off,encryption=off").options())
                .usingRecursiveComparison().isEqualTo(Qcow2Options.defaults());
    }

    @Test
    void rawTargetsTakeRawsOptionsOnly() {
        assertThat(Qcow2OptionsParser.parseRaw("")).isEmpty();
        assertThat(Qcow2OptionsParser.parseRaw("size=1G,preallocation=full,nocow=on")).hasValue(1L << 30);
        assertThatThrownBy(() -> Qcow2OptionsParser.parseRaw("cluster_size=4k"))
                .hasMessage("Invalid parameter 'cluster_size'")
                .isInstanceOfSatisfying(Qcow2OptionsParser.InvalidOptionsException.class,
                        e -> assertThat(e.formatLine()).isEqualTo("Invalid options for file format 'raw'"));
        assertThatThrownBy(() -> Qcow2OptionsParser.parseRaw("preallocation=metadata"))
                .hasMessage("Parameter 'preallocation' does not accept value 'metadata'");
    }

    @Test
    void qemuImgTakesAndRefusesTheSameSizes() {
        Qemu.require("qemu-img");
        for (String value : List.of("64k", "0.5M", "1.k", "0x800", "+4096", "64kB", "1.5", "65536 ", ".5M", "1k5",
                "0x", "1.5e3k", "16E", "1000", "4.5k", "1e")) {
            String qemu;
            try {
                Qemu.run("qemu-img", "measure", "-O", "qcow2", "--size", "1M", "-o", "cluster_size=" + value);
                qemu = "taken";
            } catch (IllegalStateException e) {
                qemu = e.getMessage();
            }
            String ours;
            try {
                Qcow2OptionsParser.parse("cluster_size=" + value);
                ours = "taken";
            } catch (IllegalArgumentException e) {
                ours = e.getMessage();
            }
            assertThat(ours.equals("taken")).as(value + ": qemu-img says " + qemu + ", we say " + ours)
                    .isEqualTo(qemu.equals("taken"));
            if (!ours.equals("taken")) {
                assertThat(qemu).as(value).contains(ours.lines().findFirst().orElseThrow());
            }
        }
    }

    private static int clusterSize(String value) {
        return Qcow2OptionsParser.parse("cluster_size=" + value).options().clusterSize();
    }

    private static int refcountBits(String value) {
        return Qcow2OptionsParser.parse("refcount_bits=" + value).options().refcountBits();
    }
}
