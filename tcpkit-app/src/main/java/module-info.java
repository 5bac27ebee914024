/**
 * The tcpkit command: picocli commands on top of {@code dev.tcpkit.core}, the {@code connect} client, {@code bench}
 * with its chart, and the Logback set-up that only the command (never the library) installs.
 */
module dev.tcpkit.app {
    requires dev.tcpkit.core;
    requires dev.tcpkit.redis;
    requires dev.tcpkit.kafka;
    requires kafka.clients;
    requires info.picocli;
    requires io.netty.handler.proxy;
    requires io.netty.resolver;
    requires ch.qos.logback.classic;
    requires ch.qos.logback.core;
    requires logstash.logback.encoder;
    requires com.fasterxml.jackson.core;
    requires HdrHistogram;
    requires org.knowm.xchart;
    requires java.desktop;
    // sun.misc.Signal, by reflection: SIGHUP reloads the server, a second SIGTERM ends --shutdown-delay (Signals).
    requires jdk.unsupported;
    requires org.slf4j;
    requires static org.jspecify;

    // picocli reads the commands' annotated fields and sets them by reflection.
    opens dev.tcpkit.app.cli to
            info.picocli;

    provides ch.qos.logback.classic.spi.Configurator with
            dev.tcpkit.app.logging.LogSetup;
}
