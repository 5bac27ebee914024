package dev.tcpkit.service.forward;

import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;

/** The PROXY protocol header the forward service sends each upstream first, naming the real client (HAProxy's). */
public enum ProxyVersion {
    /** Version 1: one text line, {@code PROXY TCP4 203.0.113.7 192.0.2.1 53210 443}. */
    V1(HAProxyProtocolVersion.V1),
    /** Version 2: binary, what HAProxy's {@code send-proxy-v2} sends. */
    V2(HAProxyProtocolVersion.V2);

    private final HAProxyProtocolVersion netty;

    ProxyVersion(HAProxyProtocolVersion netty) {
        this.netty = netty;
    }

    HAProxyProtocolVersion netty() {
        return netty;
    }
}
