package dev.tcpkit.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Records what a logger (and the loggers under it) logs at INFO and above while open, as formatted messages.
 *
 * <pre>{@code
 * try (LogCapture log = LogCapture.of("dev.tcpkit.guard")) {
 *     ...
 *     assertThat(log.messages()).anyMatch(m -> m.startsWith("refused "));
 * }
 * }</pre>
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final Logger logger;
    private final Level previousLevel;
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private LogCapture(Logger logger) {
        this.logger = logger;
        this.previousLevel = logger.getLevel();
    }

    /** Starts recording what {@code loggerName} and its children log. */
    public static LogCapture of(String loggerName) {
        LogCapture capture = new LogCapture((Logger) LoggerFactory.getLogger(loggerName));
        capture.setContext(capture.logger.getLoggerContext());
        capture.start();
        capture.logger.setLevel(Level.INFO);
        capture.logger.addAppender(capture);
        return capture;
    }

    @Override
    protected void append(ILoggingEvent event) {
        messages.add(event.getFormattedMessage());
        lines.add(event.getLevel() + " " + event.getFormattedMessage());
    }

    /** The messages logged so far with their level first ({@code WARN closing ...}), oldest first. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** The messages logged so far, oldest first. */
    public List<String> messages() {
        return List.copyOf(messages);
    }

    /** The messages logged so far that start with {@code prefix}. */
    public List<String> messagesStartingWith(String prefix) {
        return messages.stream().filter(m -> m.startsWith(prefix)).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        logger.setLevel(previousLevel);
        stop();
    }
}
