package dev.tcpkit.service;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.testing.LoopbackClient;
import dev.tcpkit.transport.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A user's own Netty handler, served by tcpkit. */
@Timeout(30)
final class HandlerServiceTest {

    /**
     * Netty's idiom: write per read, flush once per read burst. A client that sends and at once shuts down its side
     * must still get the answer, on every transport (io_uring in Netty 4.2.18 closes on EOF before the burst's
     * flush).
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void answersAClientThatSendsAndHalfClosesAtOnce(Transport transport) throws Exception {
        assumeThat(transport != Transport.IO_URING || IoUring.isAvailable()).isTrue();
        assumeThat(transport != Transport.EPOLL || Epoll.isAvailable()).isTrue();
        try (TcpServer server = TcpServer.builder()
                .bind("127.0.0.1", 0)
                .transport(transport)
                .service(Services.handler("shout", ShoutHandler::new))
                .start()) {
            for (int i = 0; i < 20; i++) {
                try (LoopbackClient client = LoopbackClient.connect(server.port())) {
                    client.send("hello\n", US_ASCII);
                    client.shutdownOutput();
                    assertThat(new String(client.readToEnd(), US_ASCII))
                            .as("answer on connection %d", i)
                            .isEqualTo("HELLO\n");
                }
            }
        }
    }

    /** Answers each read in upper case, flushing once per read burst. */
    private static final class ShoutHandler extends SimpleChannelInboundHandler<ByteBuf> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
            String upper = msg.toString(US_ASCII).toUpperCase(java.util.Locale.ROOT);
            ctx.write(ctx.alloc().buffer().writeBytes(upper.getBytes(US_ASCII)))
                    .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }
}
