package dev.tcpkit.example;

import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Your own protocol on tcpkit: a Netty handler that answers every chunk in upper case (ASCII). */
public final class UpperCaseServer {
    private static final Logger log = LoggerFactory.getLogger(UpperCaseServer.class);

    private UpperCaseServer() {}

    /** Answers each chunk with its bytes in upper case; one instance per connection. */
    static final class UpperCaseHandler extends SimpleChannelInboundHandler<ByteBuf> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
            ByteBuf upper = ctx.alloc().buffer(msg.readableBytes());
            for (int i = msg.readerIndex(); i < msg.writerIndex(); i++) {
                byte b = msg.getByte(i);
                upper.writeByte(b >= 'a' && b <= 'z' ? b - 32 : b);
            }
            ctx.write(upper).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }

    /** Serves on 127.0.0.1 at the port given (0, or none, for any free port) until the process is stopped. */
    public static void main(String[] args) throws Exception {
        try (TcpServer server = TcpServer.builder()
                .bind("127.0.0.1", args.length > 0 ? Integer.parseInt(args[0]) : 0)
                .service(Services.handler("upper", UpperCaseHandler::new))
                .start()) {
            // Ctrl-C or SIGTERM stops it gracefully; registered before the line that says it is up.
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
            log.info("upper-case server on port {}", server.port());
            server.awaitTermination();
        }
    }
}
