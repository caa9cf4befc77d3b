package io.qcow4j.cli;

import java.io.PrintStream;
import java.text.MessageFormat;
import java.util.ResourceBundle;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionStrategy;
import picocli.CommandLine.ParseResult;

/**
 * Shows the library's warnings (a dirty or corrupt-flagged image opened read-only) as one line each,
 * {@code qcow2: warning: <message>}, instead of the JDK's two-line log format with a timestamp. The JDK's
 * {@link System.LoggerFinder} for the command line (named in {@code META-INF/services}): the library looks its logger
 * up only when it has something to say, so a command without warnings never starts the JDK's logging, which costs a
 * short command more than its work. Messages below {@code WARNING} are not shown, as before.
 */
public final class WarningLines extends System.LoggerFinder {

    /** The standard error of the command running now, or null between commands (then {@code System.err}). */
    private static volatile PrintStream running;

    /** Made by the JDK's service loader. */
    public WarningLines() {
    }

    @Override
    public System.Logger getLogger(String name, Module module) {
        return new Line(name);
    }

    private static void print(String message) {
        PrintStream err = running != null ? running : System.err;
        err.println("qcow2: warning: " + message.strip().replaceAll("\\s*\\R\\s*", "; "));
        err.flush();
    }

    /** A logger that prints warnings and errors as lines. */
    private static final class Line implements System.Logger {

        private final String name;

        Line(String name) {
            this.name = name;
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public boolean isLoggable(Level level) {
            return level != Level.OFF && level.getSeverity() >= Level.WARNING.getSeverity();
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
            if (isLoggable(level)) {
                print(thrown == null ? String.valueOf(message) : message + ": " + thrown);
            }
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            if (isLoggable(level)) {
                print(params == null || params.length == 0 ? String.valueOf(format)
                        : MessageFormat.format(format, params));
            }
        }
    }

    /**
     * Runs the parsed command with its warnings on that command's standard error. A class, not a lambda: the
     * class-data archive leaves out a lambda that implements one of picocli's Java 5 interfaces, and with it that
     * interface and picocli's classes that implement it.
     */
    static final class WhileWorking implements IExecutionStrategy {

        private final PrintStream err;

        WhileWorking(PrintStream err) {
            this.err = err;
        }

        @Override
        public int execute(ParseResult parsed) {
            PrintStream before = running;
            running = err;
            try {
                return new CommandLine.RunLast().execute(parsed);
            } finally {
                running = before;
            }
        }
    }
}
