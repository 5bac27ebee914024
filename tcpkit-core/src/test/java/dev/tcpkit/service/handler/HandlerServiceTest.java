package dev.tcpkit.service.handler;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.options.Transport;
import dev.tcpkit.testing.LoopbackClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.uring.IoUring;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
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

    /**
     * A handler answers a while after the client stopped sending, with more than the socket buffers hold: the answer
     * waits for the client to read, on every transport. Netty 4.2.18's epoll transport took the socket of a
     * connection that waited for nothing (input ended, nothing to flush) out of its epoll set, and the next write that
     * had to wait failed: the client got a few MB and a close (issue 11).
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void aLargeAnswerMadeAWhileAfterTheClientsHalfCloseArrivesWhole(Transport transport) throws Exception {
        assumeThat(transport != Transport.IO_URING || IoUring.isAvailable()).isTrue();
        assumeThat(transport != Transport.EPOLL || Epoll.isAvailable()).isTrue();
        try (TcpServer server = TcpServer.builder()
                        .bind("127.0.0.1", 0)
                        .transport(transport)
                        .service(Services.handler("late", LateAnswerHandler::new))
                        .start();
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            client.send("go\n", US_ASCII);
            client.shutdownOutput();
            assertThat(client.readToEnd().length).isEqualTo(LateAnswerHandler.SIZE);
        }
    }

    /** At the end of input, once the connection has nothing else to do, writes one large answer and closes. */
    private static final class LateAnswerHandler extends ChannelInboundHandlerAdapter {
        static final int SIZE = 16 * 1024 * 1024;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        /** Not passed on: the connection stays open for the answer (see {@link HandlerService}). */
        @Override
        @SuppressWarnings("FutureReturnValueIgnored") // the answer's outcome is what the client receives
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                ctx.executor()
                        .schedule(
                                () -> ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[SIZE]))
                                        .addListener(ChannelFutureListener.CLOSE),
                                50,
                                TimeUnit.MILLISECONDS);
            } else {
                ctx.fireUserEventTriggered(evt);
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
