package io.qcow4j.vmdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.qcow4j.CorruptImageException;
import io.qcow4j.ImageException;
import io.qcow4j.ImageLimitException;
import io.qcow4j.UnsupportedFeatureException;

class DescriptorParserTest {

    private static Descriptor parse(String text) throws ImageException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return DescriptorParser.parse(bytes, bytes.length, true);
    }

    @Test
    void readsQemusDescriptor() throws Exception {
        Descriptor d = parse("# Disk DescriptorFile\nversion=1\nCID=27d971b0\nparentCID=ffffffff\n"
                + "createType=\"twoGbMaxExtentFlat\"\n\n# Extent description\n"
                + "RW 4194304 FLAT \"disk-f001.vmdk\" 0\nRW 2097152 FLAT \"disk-f002.vmdk\" 0\n\n"
                + "# The Disk Data Base\n#DDB\n\nddb.virtualHWVersion = \"4\"\nddb.adapterType = \"ide\"\n");
        assertThat(d.cid()).isEqualTo(0x27d971b0L);
        assertThat(d.parentCid()).isEqualTo(Descriptor.NO_PARENT);
        assertThat(d.createType()).isEqualTo("twoGbMaxExtentFlat");
        assertThat(d.parentFileNameHint()).isNull();
        assertThat(d.extents()).containsExactly(
                new ExtentLine(8, 4194304, ExtentType.FLAT, "disk-f001.vmdk", 0),
                new ExtentLine(9, 2097152, ExtentType.FLAT, "disk-f002.vmdk", 0));
    }

    @Test
    void readsCrlfCommentsAnyOrderAndSpaces() throws Exception {
        Descriptor d = parse("ddb.adapterType = \"lsilogic\"\r\n\t# a comment\r\nRW 16 SPARSE \"a b/c d.vmdk\"\r\n"
                + "\r\nparentFileNameHint = \"../base disk.vmdk\" \r\ncreateType = \"vmfsSparse\"\r\n"
                + "  parentCID = 0000beef\r\nCID=0XABCDEF01\r\nversion=1\r\n");
        assertThat(d.cid()).isEqualTo(0xabcdef01L);
        assertThat(d.parentCid()).isEqualTo(0xbeefL);
        assertThat(d.createType()).isEqualTo("vmfsSparse");
        assertThat(d.parentFileNameHint()).isEqualTo("../base disk.vmdk");
        assertThat(d.extents()).containsExactly(new ExtentLine(3, 16, ExtentType.SPARSE, "a b/c d.vmdk", 0));
    }

    @Test
    void theFirstOfTwoEqualKeysCounts() throws Exception {
        Descriptor d = parse("CID=00000001\nparentCID=ffffffff\nCID=00000002\ncreateType=\"vmfs\"\n");
        assertThat(d.cid()).isEqualTo(1);
    }

    @Test
    void everyExtentType() throws Exception {
        Descriptor d = parse("RW 1 FLAT \"f\" 7\nRW 2 FLAT \"g\"\nRDONLY 3 SPARSE \"s\"\nRW 4 ZERO\nRW 5 VMFS \"v\"\n"
                + "RW 6 VMFSSPARSE \"c\"\nRW 7 SESPARSE \"e\"\nRW 0 FLAT \"empty\" 0\n");
        assertThat(d.extents()).containsExactly(
                new ExtentLine(1, 1, ExtentType.FLAT, "f", 7),
                new ExtentLine(2, 2, ExtentType.FLAT, "g", 0),
                new ExtentLine(3, 3, ExtentType.SPARSE, "s", 0),
                new ExtentLine(4, 4, ExtentType.ZERO, null, 0),
                new ExtentLine(5, 5, ExtentType.VMFS, "v", 0),
                new ExtentLine(6, 6, ExtentType.VMFSSPARSE, "c", 0),
                new ExtentLine(7, 7, ExtentType.SESPARSE, "e", 0));
    }

    @Test
    void missingContentIdsAreLeftForTheOpenerToRefuse() throws Exception {
        Descriptor d = parse("createType=\"vmfs\"\n");
        assertThat(d.cid()).isEqualTo(-1);
        assertThat(d.parentCid()).isEqualTo(-1);
    }

    @Test
    void theTextEndsAtTheFirstNul() throws Exception {
        Descriptor d = parse("CID=00000001\nparentCID=ffffffff\nRW 1 FLAT \"f\" 0\n\0RW 2 FLAT \"g\" 0\n");
        assertThat(d.extents()).hasSize(1);
    }

    @Test
    void namesAreFileNamesOfTheirBytes() throws Exception {
        Descriptor d = parse("RW 1 FLAT \"d\u00e9j\u00e0 vu.vmdk\" 0\n");
        assertThat(d.extents().get(0).name()).isEqualTo("d\u00e9j\u00e0 vu.vmdk");
    }

    @Test
    void namesAreAlsoReadInTheDeclaredEncoding() throws Exception {
        String text = "encoding=\"windows-1252\"\nparentFileNameHint=\"C:\\VMs\\M\u00e4rz.vmdk\"\n"
                + "RW 1 FLAT \"M\u00e4rz-flat.vmdk\" 0\nRW 1 FLAT \"plain.vmdk\" 0\nRW 1 ZERO\n";
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        Descriptor d = DescriptorParser.parse(bytes, bytes.length, true);
        assertThat(d.extents()).containsExactly(
                new ExtentLine(3, 1, ExtentType.FLAT, "M\ufffdrz-flat.vmdk", 0, "M\u00e4rz-flat.vmdk"),
                new ExtentLine(4, 1, ExtentType.FLAT, "plain.vmdk", 0, null),
                new ExtentLine(5, 1, ExtentType.ZERO, null, 0, null));
        assertThat(d.parentFileNameHint()).isEqualTo("C:\\VMs\\M\ufffdrz.vmdk");
        assertThat(d.parentDeclaredName()).isEqualTo("C:\\VMs\\M\u00e4rz.vmdk");
        // the same name in UTF-8, or an encoding Java does not know: one reading only
        assertThat(parse(text.replace("windows-1252", "UTF-8")).extents().get(0).declaredName()).isNull();
        byte[] unknown = text.replace("windows-1252", "x-no-such-code-page").getBytes(StandardCharsets.ISO_8859_1);
        assertThat(DescriptorParser.parse(unknown, unknown.length, true).extents().get(0).declaredName()).isNull();
    }

    @Test
    void anEmbeddedDescriptorsExtentLinesAreNotRead() throws Exception {
        byte[] bytes = "CID=00000001\nparentCID=ffffffff\nRW 1 WHATEVER\nNOACCESS 1 FLAT \"x\" 0\n"
                .getBytes(StandardCharsets.US_ASCII);
        assertThat(DescriptorParser.parse(bytes, bytes.length, false).extents()).isEmpty();
    }

    @Test
    void refusesBrokenExtentLinesByLine() {
        assertThatThrownBy(() -> parse("CID=1\n\nRW x FLAT \"f\" 0\n")).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("descriptor line 3").hasMessageContaining("the size 'x' is not a number");
        assertThatThrownBy(() -> parse("RW 5 SPARSE\n")).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("descriptor line 1").hasMessageContaining("needs a file name");
        assertThatThrownBy(() -> parse("RW 5 FLAT \"f\" -1\n")).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("the offset '-1' is not a number");
        assertThatThrownBy(() -> parse("RW 5 FLAT \"no end\n")).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("no closing quote");
        assertThatThrownBy(() -> parse("RW 5 VMFS \"v\" 3\n")).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("a VMFS extent takes no offset");
        assertThatThrownBy(() -> parse("RW 99999999999999999999 FLAT \"f\" 0\n"))
                .isInstanceOf(CorruptImageException.class).hasMessageContaining("is not a number of sectors");
        assertThatThrownBy(() -> parse("RW\n")).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("needs an access, a size in sectors and a type");
    }

    @Test
    void refusesWhatItDoesNotRead() {
        assertThatThrownBy(() -> parse("RW 5 VMFSRDM \"/dev/sda\"\n")).isInstanceOf(UnsupportedFeatureException.class)
                .hasMessage("descriptor line 1: unsupported extent type 'VMFSRDM' (this reader reads FLAT, SPARSE, "
                        + "ZERO, VMFS, VMFSSPARSE and SESPARSE)");
        assertThatThrownBy(() -> parse("NOACCESS 5 FLAT \"f\" 0\n")).isInstanceOf(UnsupportedFeatureException.class)
                .hasMessage("descriptor line 1: the FLAT extent has access NOACCESS, which VMware gives no reader");
    }

    @Test
    void refusesContentIdsThatAreNotNumbers() {
        assertThatThrownBy(() -> parse("CID=xyz\n")).isInstanceOf(CorruptImageException.class)
                .hasMessage("the descriptor's CID 'xyz' is not a 32-bit hexadecimal number");
        assertThatThrownBy(() -> parse("parentCID=123456789\n")).isInstanceOf(CorruptImageException.class)
                .hasMessage("the descriptor's parentCID '123456789' is not a 32-bit hexadecimal number");
    }

    @Test
    void boundsTheExtentCount() throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < Limits.EXTENTS; i++) {
            text.append("RW 1 ZERO\n");
        }
        assertThat(parse(text.toString()).extents()).hasSize(Limits.EXTENTS);
        text.append("RW 1 ZERO\n");
        assertThatThrownBy(() -> parse(text.toString())).isInstanceOf(ImageLimitException.class)
                .hasMessage("the descriptor lists more than 8192 extents, this reader's limit");
    }
}
