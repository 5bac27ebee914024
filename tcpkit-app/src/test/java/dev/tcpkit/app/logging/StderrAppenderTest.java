package dev.tcpkit.app.logging;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Events from event loops are written behind their back, in order with everyone else's, and none is left behind. */
@Timeout(30)
final class StderrAppenderTest {
    private final LoggerContext context = new LoggerContext();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final StderrAppender appender = new StderrAppender(out);
    private final EventLoop loop = new DefaultEventLoop();
    private final Logger log = context.getLogger("dev.tcpkit.test");

    StderrAppenderTest() {
        context.setMDCAdapter(new LogbackMDCAdapter()); // what Logback's service provider sets up
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%level %thread %msg%n");
        encoder.start();
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.start();
        log.addAppender(appender);
    }

    @AfterEach
    void stopLoop() {
        loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        appender.stop();
    }

    @Test
    void aLoopsInfoEventsAreWrittenByTheAppendersThreadUnderTheLoopsName() throws Exception {
        String loopName = loop.submit(() -> {
                    for (int i = 0; i < 1000; i++) {
                        log.info("{} connected", i);
                    }
                    return Thread.currentThread().getName();
                })
                .get(10, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(10)).until(() -> written().lines().count() == 1000);
        assertThat(written().lines().toList())
                .startsWith("INFO " + loopName + " 0 connected")
                .endsWith("INFO " + loopName + " 999 connected");
    }

    @Test
    void anEventFromAnotherThreadComesAfterEveryQueuedOneAndIsWrittenAtOnce() throws Exception {
        loop.submit(() -> log.info("from the loop")).get(10, TimeUnit.SECONDS);
        log.info("from main");

        assertThat(written().lines())
                .satisfiesExactly(
                        l -> assertThat(l).endsWith(" from the loop"),
                        l -> assertThat(l).endsWith(" from main"));
    }

    @Test
    void aLoopsWarningIsWrittenAtOnce() throws Exception {
        loop.submit(() -> log.warn("cut")).get(10, TimeUnit.SECONDS);

        assertThat(written()).endsWith(" cut\n").startsWith("WARN ");
    }

    @Test
    void stopWritesWhatWaits() throws Exception {
        loop.submit(() -> {
                    for (int i = 0; i < 100; i++) {
                        log.info("left {}", i);
                    }
                })
                .get(10, TimeUnit.SECONDS);
        appender.stop();

        assertThat(written().lines()).hasSize(100).last().asString().endsWith(" left 99");
    }

    private String written() {
        return out.toString(UTF_8);
    }
}
