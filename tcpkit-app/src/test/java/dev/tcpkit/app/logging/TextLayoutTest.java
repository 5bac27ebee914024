package dev.tcpkit.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The stderr line format: one line an event, a stack trace only with {@code -v} (SPEC §5). */
final class TextLayoutTest {
    private final LoggerContext context = new LoggerContext();
    private final TextLayout layout = new TextLayout();

    TextLayoutTest() {
        layout.setContext(context);
        layout.start();
    }

    @Test
    void aWarningWithAnExceptionIsOneLineWithoutVerbose() {
        context.getLogger("dev.tcpkit").setLevel(Level.INFO);

        assertThat(layout.doLayout(warningWithException()))
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z WARN  closing 127\\.0\\.0\\.1:40000: "
                        + "java\\.io\\.IOException: epoll_ctl\\(\\.\\.\\) failed\n");
    }

    @Test
    void verboseAddsTheStackTrace() {
        context.getLogger("dev.tcpkit").setLevel(Level.DEBUG); // what -v sets

        assertThat(layout.doLayout(warningWithException()).lines())
                .hasSizeGreaterThan(1)
                .anySatisfy(line -> assertThat(line).startsWith("\tat dev.tcpkit.app.logging.TextLayoutTest"));
    }

    private LoggingEvent warningWithException() {
        Logger logger = context.getLogger("dev.tcpkit.service.message.MessageHandler");
        IOException cause = new IOException("epoll_ctl(..) failed");
        return new LoggingEvent(Logger.class.getName(), logger, Level.WARN, "closing {}: {}", cause, new Object[] {
            "127.0.0.1:40000", cause.toString()
        });
    }
}
