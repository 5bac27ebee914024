package dev.tcpkit.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    private final List<Map<String, Object>> keyValues = new CopyOnWriteArrayList<>();

    private LogCapture(Logger logger) {
        this.logger = logger;
        this.previousLevel = logger.getLevel();
    }

    /** Starts recording what {@code loggerName} and its children log. */
    public static LogCapture of(String loggerName) {
        return of(loggerName, Level.INFO);
    }

    /** Starts recording what {@code loggerName} and its children log at {@code level} and above. */
    public static LogCapture of(String loggerName, Level level) {
        LogCapture capture = new LogCapture((Logger) LoggerFactory.getLogger(loggerName));
        capture.setContext(capture.logger.getLoggerContext());
        capture.start();
        capture.logger.setLevel(level);
        capture.logger.addAppender(capture);
        return capture;
    }

    @Override
    protected void append(ILoggingEvent event) {
        messages.add(event.getFormattedMessage());
        lines.add(event.getLevel() + " " + event.getFormattedMessage());
        if (event.getKeyValuePairs() != null && !event.getKeyValuePairs().isEmpty()) {
            Map<String, Object> pairs = new LinkedHashMap<>();
            event.getKeyValuePairs().forEach(p -> pairs.put(p.key, p.value));
            keyValues.add(pairs);
        }
    }

    /** The key-value pairs of each event logged so far that has some ({@code event}, {@code reason}, ...). */
    public List<Map<String, Object>> keyValues() {
        return List.copyOf(keyValues);
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
