/**
 * tcpkit's server as a library. An embedder writes against the packages exported to everyone, and against nothing
 * else: {@code dev.tcpkit} ({@code TcpServer}, {@code Services}), {@code dev.tcpkit.options} (transports, TLS
 * providers, the exceptions), {@code dev.tcpkit.service} (the {@code Service} contract) and the builders of the
 * built-in services ({@code dev.tcpkit.service.chat}, {@code dev.tcpkit.service.exec}, {@code dev.tcpkit.service.forward}, {@code
 * dev.tcpkit.service.message}), {@code dev.tcpkit.codec}'s
 * framing and decoders for handlers of its own, and {@code dev.tcpkit.connection}, what a server counts ({@code
 * TcpServer.connections()}, {@code counters()}). The rest is the server's inside, the records services write
 * ({@code dev.tcpkit.output}) and the pipeline's stages among it; what the command-line application needs of it is
 * exported to that application alone.
 */
module dev.tcpkit.core {
    exports dev.tcpkit;
    exports dev.tcpkit.options;
    exports dev.tcpkit.codec;
    exports dev.tcpkit.service;
    // Where records go beside stdout and --output (tcpkit-kafka's KafkaSink).
    exports dev.tcpkit.sink;
    exports dev.tcpkit.service.chat;
    exports dev.tcpkit.service.exec;
    exports dev.tcpkit.service.forward;
    exports dev.tcpkit.service.message;
    // What a server counts (connections, counters): TcpServer shows it.
    exports dev.tcpkit.connection;
    exports dev.tcpkit.admin to
            dev.tcpkit.app;
    exports dev.tcpkit.guard to
            dev.tcpkit.app;
    exports dev.tcpkit.internal to
            dev.tcpkit.app;
    // connect --hex-dump: the dump's writer and handler.
    exports dev.tcpkit.output to
            dev.tcpkit.app;
    exports dev.tcpkit.security to
            dev.tcpkit.app;
    exports dev.tcpkit.transport to
            dev.tcpkit.app;

    // Netty's types are in the API: handlers, pipelines, SslContext, ByteBuf.
    requires transitive io.netty.buffer;
    requires transitive io.netty.codec;
    requires transitive io.netty.common;
    requires transitive io.netty.handler;
    requires transitive io.netty.transport;
    requires io.netty.codec.haproxy;
    requires io.netty.codec.http;
    requires io.netty.resolver;
    requires io.netty.resolver.dns;
    requires io.netty.transport.classes.epoll;
    requires io.netty.transport.classes.io_uring;
    requires io.netty.transport.unix.common;
    requires org.bouncycastle.pkix;
    requires org.bouncycastle.provider;
    requires org.bouncycastle.util;
    requires com.fasterxml.jackson.core;
    // /metrics: the process's CPU time (com.sun.management.OperatingSystemMXBean).
    requires jdk.management;
    // Service.bindMeters takes a MeterRegistry: a service registers meters of its own.
    requires transitive micrometer.core;
    requires micrometer.registry.prometheus;
    requires org.slf4j;
    requires static transitive org.jspecify;
}
