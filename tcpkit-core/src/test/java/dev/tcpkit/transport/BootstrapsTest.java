package dev.tcpkit.transport;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.tcpkit.options.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Bootstraps listen and dial on every transport that loads here, with the options every socket gets. */
@Timeout(30)
final class BootstrapsTest {

    @ParameterizedTest
    @EnumSource(
            value = Transport.class,
            names = {"AUTO"},
            mode = EnumSource.Mode.EXCLUDE)
    void aClientOnOneEventLoopDialsAServerOnTheSameTransport(Transport transport) throws Exception {
        assumeThat(transport != Transport.IO_URING || IoUring.isAvailable()).isTrue();
        assumeThat(transport != Transport.EPOLL || Epoll.isAvailable()).isTrue();
        IoSupport io = IoSupport.resolve(transport);
        EventLoopGroup group = io.newGroup(2, new DefaultThreadFactory("bootstraps-test", true));
        try {
            CompletableFuture<Channel> accepted = new CompletableFuture<>();
            Channel server = Bootstraps.server(io, group)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            accepted.complete(ch);
                            ch.pipeline().addLast(Echo.INSTANCE);
                        }
                    })
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .sync()
                    .channel();
            EventLoop loop = group.next();
            CompletableFuture<String> echoed = new CompletableFuture<>();
            Channel client = Bootstraps.client(io, loop, Duration.ofSeconds(5))
                    .handler(new Receiver(echoed))
                    .connect(server.localAddress())
                    .sync()
                    .channel();
            client.writeAndFlush(Unpooled.copiedBuffer("ping", US_ASCII)).sync();

            assertThat(echoed.get(10, TimeUnit.SECONDS)).isEqualTo("ping");
            assertThat(client.eventLoop()).as("the given event loop").isSameAs(loop);
            assertThat(server).isInstanceOf(io.serverChannelClass());
            assertThat(client).isInstanceOf(io.channelClass());
            assertThat(server.config().getOption(ChannelOption.SO_REUSEADDR)).isTrue();
            assertThat(accepted.get().config().getOption(ChannelOption.TCP_NODELAY))
                    .isTrue();
            assertThat(client.config().getOption(ChannelOption.TCP_NODELAY)).isTrue();
            assertThat(client.config().getOption(ChannelOption.CONNECT_TIMEOUT_MILLIS))
                    .isEqualTo(5_000);
            client.close().sync();
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** Sends back what it reads. */
    @Sharable
    private static final class Echo extends ChannelInboundHandlerAdapter {
        static final Echo INSTANCE = new Echo();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.writeAndFlush(msg).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }

    /** Completes with the first bytes the server sends back. */
    private static final class Receiver extends SimpleChannelInboundHandler<ByteBuf> {
        private final CompletableFuture<String> received;

        Receiver(CompletableFuture<String> received) {
            this.received = received;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
            received.complete(msg.toString(US_ASCII));
        }
    }
}
