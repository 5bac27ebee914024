package dev.tcpkit.app.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import net.logstash.logback.encoder.LogstashEncoder;
import net.logstash.logback.fieldnames.LogstashFieldNames;
import org.slf4j.LoggerFactory;

/**
 * {@code --log-format}: how events look on stderr. {@code text} is one readable line each (logback.xml's pattern);
 * {@code json} is one JSON object per line, whose fields are the event's key-values ({@code event}, {@code client},
 * {@code bytesIn}, {@code reason} ...) beside {@code time}, {@code level}, {@code message}. Records on stdout are
 * not affected.
 */
enum LogFormat {
    text,
    json;

    /** The name {@code logback.xml} gives the stderr appender. */
    private static final String APPENDER = "STDERR";

    /** Switches the stderr appender to this format; call before anything logs. */
    void apply() {
        if (this == text) {
            return;
        }
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Appender<ILoggingEvent> appender =
                context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender(APPENDER);
        if (!(appender instanceof OutputStreamAppender<ILoggingEvent> stderr)) {
            throw new IllegalStateException("logback.xml has no " + APPENDER + " appender");
        }
        LogstashEncoder encoder = new LogstashEncoder();
        encoder.setContext(context);
        LogstashFieldNames names = new LogstashFieldNames();
        names.setTimestamp("time");
        names.setLogger("logger");
        names.setThread("thread");
        names.setStackTrace("stackTrace");
        names.setVersion("[ignore]");
        names.setLevelValue("[ignore]");
        encoder.setFieldNames(names);
        encoder.setTimeZone("UTC");
        encoder.setTimestampPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");
        encoder.setIncludeContext(false);
        encoder.setIncludeKeyValuePairs(true);
        encoder.start();
        stderr.stop();
        stderr.setEncoder(encoder);
        stderr.start();
    }
}
