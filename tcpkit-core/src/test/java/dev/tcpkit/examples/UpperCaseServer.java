package dev.tcpkit.examples;

import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.util.Locale;

/**
 * Your own protocol in tcpkit: a Netty handler that answers every chunk in upper case (ASCII), served with
 * tcpkit's transport choice, connection tracking and graceful shutdown.
 *
 * <p>Run it from the repository root, after {@code ./tcpkit --version} has built the jar:
 *
 * <pre>
 * java -cp target/tcpkit.jar src/test/java/dev/tcpkit/examples/UpperCaseServer.java 9000
 * </pre>
 */
public final class UpperCaseServer {
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

    /** Starts the server on {@code port} (0 = any free port) on the loopback interface. */
    public static TcpServer start(int port) throws Exception {
        return TcpServer.builder()
                .bind("127.0.0.1", port)
                .service(Services.handler("upper", UpperCaseHandler::new))
                .start();
    }

    public static void main(String[] args) throws Exception {
        try (TcpServer server = start(args.length > 0 ? Integer.parseInt(args[0]) : 9000)) {
            String line = String.format(Locale.ROOT, "upper-case server on %s%n", server.displayAddress());
            System.err.print(line);
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
            server.awaitTermination();
        }
    }
}
