package io.qcow4j.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.qcow4j.distribution.Unpacked.Run;
import io.qcow4j.testing.Qemu;

/** The archive's man pages: one for qcow2 and one per subcommand, which groff renders without a complaint. */
class ManPagesIT {

    private static final List<String> PAGES = List.of("qcow2", "qcow2-info", "qcow2-map", "qcow2-read",
            "qcow2-convert", "qcow2-create", "qcow2-measure", "qcow2-mount");

    @TempDir
    Path dir;

    @Test
    void qcow2AndEachSubcommandHaveAPageThatRenders() throws Exception {
        Qemu.require("groff");
        Path man1 = Unpacked.tarGz(dir).resolve("man/man1");
        try (var files = Files.list(man1)) {
            assertThat(files.map(file -> file.getFileName().toString()))
                    .containsExactlyInAnyOrderElementsOf(PAGES.stream().map(page -> page + ".1").toList());
        }
        for (String page : PAGES) {
            // -ww: every warning; a page that renders with none has only requests groff knows
            Run groff = Unpacked.run(dir, Map.of("LC_ALL", "C.UTF-8"), "groff", "-man", "-Tutf8", "-ww",
                    man1.resolve(page + ".1").toString());
            assertThat(groff.exit()).as(groff.err()).isZero();
            assertThat(groff.err()).as(page).isEmpty();
            String text = groff.out().replaceAll(".\b", "");
            assertThat(text).as(page).contains("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS")
                    .contains(page + " - ");
        }
        String convert = Unpacked.run(dir, Map.of(), "groff", "-man", "-Tutf8",
                man1.resolve("qcow2-convert.1").toString()).out().replaceAll(".\b", "");
        assertThat(convert).contains("qcow2 convert", "--segment-size", "--sync");
    }
}
