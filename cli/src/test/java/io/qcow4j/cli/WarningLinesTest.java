package io.qcow4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/**
 * The command line's logger finder: found by the JDK through {@code META-INF/services}, warnings and errors as one line
 * each on standard error, lower levels not shown. (A library warning on a real image: {@code ErrorLinesTest}.)
 */
class WarningLinesTest {

    @Test
    void theJdkFindsItThroughTheServiceFile() {
        assertThat(System.LoggerFinder.getLoggerFinder()).isInstanceOf(WarningLines.class);
        assertThat(System.getLogger("io.qcow4j").getName()).isEqualTo("io.qcow4j");
    }

    @Test
    void warningsAndErrorsAreOneLineEachAndTheRestIsNotShown() throws IOException {
        System.Logger logger = new WarningLines().getLogger("io.qcow4j.test", WarningLinesTest.class.getModule());
        String err = standardErrorOf(() -> {
            logger.log(Level.INFO, "not shown");
            logger.log(Level.DEBUG, "not shown {0}", 1);
            logger.log(Level.WARNING, "{0}: the image is dirty", "a.qcow2");
            logger.log(Level.ERROR, "two\n  lines\r\nand a third  ");
            logger.log(Level.WARNING, "failed", new IOException("disk gone"));
            logger.log(Level.WARNING, "no {0} parameters");
        });
        assertThat(err).isEqualTo("""
                qcow2: warning: a.qcow2: the image is dirty
                qcow2: warning: two; lines; and a third
                qcow2: warning: failed: java.io.IOException: disk gone
                qcow2: warning: no {0} parameters
                """);
        assertThat(logger.isLoggable(Level.WARNING)).isTrue();
        assertThat(logger.isLoggable(Level.INFO)).isFalse();
        assertThat(logger.isLoggable(Level.OFF)).isFalse();
    }

    private static String standardErrorOf(Runnable logging) {
        PrintStream before = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            logging.run();
        } finally {
            System.setErr(before);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
