/**
 * tcpkit's server as a library. An embedder writes against the packages exported to everyone: {@code dev.tcpkit}
 * ({@code TcpServer}, {@code Services}), {@code dev.tcpkit.options}, {@code dev.tcpkit.service} and the builders of
 * the built-in services, {@code dev.tcpkit.codec}'s codecs for handlers of its own, and what a server counts and
 * records. The rest is the server's
 * inside; what the command-line application needs of it is exported to that application alone.
 */
module dev.tcpkit.core {
    exports dev.tcpkit;
    exports dev.tcpkit.options;
    exports dev.tcpkit.codec;
    exports dev.tcpkit.service;
    exports dev.tcpkit.service.chat;
    exports dev.tcpkit.service.message;
    // What services write (records) and what a server counts (connections, counters): TcpServer and Service show both.
    exports dev.tcpkit.output;
    exports dev.tcpkit.connection;
    exports dev.tcpkit.admin to
            dev.tcpkit.app;
    exports dev.tcpkit.guard to
            dev.tcpkit.app;
    exports dev.tcpkit.internal to
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
    requires io.netty.transport.classes.epoll;
    requires io.netty.transport.classes.io_uring;
    requires io.netty.transport.unix.common;
    requires org.bouncycastle.pkix;
    requires org.bouncycastle.provider;
    requires org.bouncycastle.util;
    requires com.fasterxml.jackson.core;
    requires micrometer.core;
    requires micrometer.registry.prometheus;
    requires org.slf4j;
    requires static transitive org.jspecify;
}
