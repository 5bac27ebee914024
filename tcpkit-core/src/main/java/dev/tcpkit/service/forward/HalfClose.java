package dev.tcpkit.service.forward;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;

/**
 * Ends one direction of a relayed connection, the client's or the upstream's, in the clear or under TLS.
 *
 * <p>Under TLS the end of sending is a {@code close_notify}, then the TCP half-close. TLS 1.3 lets the other side go
 * on sending after a {@code close_notify}, so a half-close passes through TLS as it does in the clear; a TLS 1.2 peer
 * (and Netty's OpenSSL engine on receiving one) closes its sending side too, which ends the relay as a close would.
 * A bare TCP half-close under TLS would look to the peer like a truncated stream.
 */
final class HalfClose {
    private HalfClose() {}

    /** Shuts down {@code channel}'s output, after a {@code close_notify} if it speaks TLS. */
    @SuppressWarnings("FutureReturnValueIgnored") // the returned promise carries the outcome
    static ChannelFuture shutdownOutput(Channel channel) {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return ((DuplexChannel) channel).shutdownOutput();
        }
        ChannelPromise shut = channel.newPromise();
        // Whether or not the close_notify went out, the TCP half-close still tells the peer.
        ssl.closeOutbound().addListener(f -> ((DuplexChannel) channel).shutdownOutput(shut));
        return shut;
    }
}
