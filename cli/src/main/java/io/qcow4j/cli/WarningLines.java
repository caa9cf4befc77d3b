package io.qcow4j.cli;

import java.io.PrintStream;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionStrategy;
import picocli.CommandLine.ParseResult;

/**
 * Shows the library's warnings (a dirty or corrupt-flagged image opened read-only) as one line each,
 * {@code qcow2: warning: <message>}, instead of the JDK's two-line log format with a timestamp.
 */
final class WarningLines extends Handler {

    private final PrintStream err;
    private final Logger root = LogManager.getLogManager().getLogger("");
    private final Handler[] replaced;

    private WarningLines(PrintStream err) {
        this.err = err;
        this.replaced = root.getHandlers();
        setLevel(Level.WARNING);
        setFormatter(new SimpleFormatter());
    }

    /** Takes over the root logger's output until {@link #close()}. */
    static WarningLines install(PrintStream err) {
        WarningLines lines = new WarningLines(err);
        for (Handler handler : lines.replaced) {
            lines.root.removeHandler(handler);
        }
        lines.root.addHandler(lines);
        return lines;
    }

    @Override
    public void publish(LogRecord record) {
        if (isLoggable(record)) {
            err.println("qcow2: warning: " + getFormatter().formatMessage(record).strip().replaceAll("\\s*\\R\\s*", "; "));
            err.flush();
        }
    }

    @Override
    public void flush() {
        err.flush();
    }

    /** Gives the root logger its handlers back. */
    @Override
    public void close() {
        root.removeHandler(this);
        for (Handler handler : replaced) {
            root.addHandler(handler);
        }
    }

    /**
     * Runs the parsed command with the warnings shown as lines while an image command works; the JDK's logging is set
     * up only then, as the version and help have nothing to log and the set-up costs them time. A class, not a
     * lambda: the class-data archive leaves out a lambda that implements one of picocli's Java 5 interfaces, and with
     * it that interface and picocli's classes that implement it.
     */
    static final class WhileWorking implements IExecutionStrategy {

        private final PrintStream err;

        WhileWorking(PrintStream err) {
            this.err = err;
        }

        @Override
        public int execute(ParseResult parsed) {
            if (Qcow2Command.current(parsed) == null) {
                return new CommandLine.RunLast().execute(parsed);
            }
            WarningLines warnings = install(err);
            try {
                return new CommandLine.RunLast().execute(parsed);
            } finally {
                warnings.close();
            }
        }
    }
}
