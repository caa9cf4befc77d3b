package io.qcow4j.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import io.qcow4j.BackingChainException;

/** The json: names read without QEMU at hand; HostileFilesTest reads the images qemu-img makes with them. */
class JsonFileNameTest {

    @Test
    void aFormatDriverNamesTheFormatAndTheFileDriverNone() throws BackingChainException {
        assertThat(JsonFileName.parse("x", "json:{\"driver\": \"raw\", \"file\": {\"filename\": \"b.img\"}}"))
                .isEqualTo(new JsonFileName.Target("b.img", "raw"));
        assertThat(JsonFileName.parse("x", "json:{\"driver\": \"file\", \"filename\": \"/srv/b.img\"}"))
                .isEqualTo(new JsonFileName.Target("/srv/b.img", null));
        assertThat(JsonFileName.parse("x", "json:{\"file.filename\": \"b.qcow2\", \"read-only\": true}"))
                .isEqualTo(new JsonFileName.Target("b.qcow2", null));
    }

    @Test
    void optionsThatOnlyChangeHowTheFileIsOpenedAreIgnored() throws BackingChainException {
        assertThat(JsonFileName.parse("x", "json:{\"driver\": \"qcow2\", \"node-name\": \"n\", \"discard\": \"unmap\","
                + " \"file\": {\"driver\": \"file\", \"filename\": \"b\", \"locking\": \"off\", \"aio\": \"native\","
                + " \"cache\": {\"direct\": true, \"no-flush\": false}}}").filename()).isEqualTo("b");
    }

    @Test
    void nestingPastGsonsLimitIsRefusedNotAStackOverflow() {
        String deep = "{\"a\": ".repeat(10_000) + "1" + "}".repeat(10_000);
        assertThatThrownBy(() -> JsonFileName.parse("x", "json:" + deep)).isInstanceOf(BackingChainException.class)
                .hasMessageContaining("not valid JSON");
    }
}
