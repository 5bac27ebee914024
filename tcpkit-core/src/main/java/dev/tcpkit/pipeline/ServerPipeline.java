package dev.tcpkit.pipeline;

import dev.tcpkit.codec.Framing;
import dev.tcpkit.codec.TextMessageDecoder;
import dev.tcpkit.connection.ConnectionRegistry;
import dev.tcpkit.guard.Guard;
import dev.tcpkit.security.ServerTls;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import java.nio.charset.Charset;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Assembles every accepted connection's pipeline, and names its stages. In order, from the socket inwards:
 *
 * <ol>
 *   <li>admission ({@link Guard}): access control and connection limits; with {@code --proxy-protocol} the stages
 *       that read the PROXY header ({@link #PROXY_SIGNATURE}, {@link #PROXY_PROTOCOL}, {@link #PROXY_HEADER}), after
 *       which the checks apply to the client the header names and the three remove themselves. Nothing is read from
 *       or written to a client before it is admitted, and nothing below is added until it is.
 *   <li>the idle timeout ({@link #IDLE_TIMEOUT}), nearest the socket so that it sees every byte in or out and times
 *       out whatever the later stages wait for, a stalled TLS handshake included;
 *   <li>TLS ({@link #TLS}, {@link #TLS_EVENTS}), when the server has it: after admission, so that a denied client
 *       never sees a handshake byte;
 *   <li>the connection's meter ({@link #METER}), which registers it, counts its bytes and logs its connect and
 *       disconnect; after TLS, so that it counts what the service reads and writes;
 *   <li>the service's handlers. Services that take text messages start with {@link #addTextDecoders}; a service
 *       names its own handler after itself ({@code echo}, {@code chat}, …).
 * </ol>
 *
 * <p>The names are what {@code channel.pipeline().get(name)} finds.
 */
@Sharable
public final class ServerPipeline extends ChannelInitializer<Channel> {
    /** Fails a connection from a proxy at the first byte that cannot start a PROXY header; removes itself then. */
    public static final String PROXY_SIGNATURE = "proxy-signature";
    /** Netty's PROXY header decoder; removes itself once it has decoded the header. */
    public static final String PROXY_PROTOCOL = "proxy-protocol";
    /** Admits the client the PROXY header names, within the header timeout; removes itself then. */
    public static final String PROXY_HEADER = "proxy-header";
    /** Cuts a connection that neither sent nor received a byte for the idle timeout. */
    public static final String IDLE_TIMEOUT = "idle-timeout";
    /** Netty's {@code SslHandler}. */
    public static final String TLS = "tls";
    /** Logs failed handshakes once and turns TLS events into what services understand. */
    public static final String TLS_EVENTS = "tls-events";
    /** Counts the connection's bytes and logs its connect and disconnect events. */
    public static final String METER = "meter";
    /** Cuts the byte stream into messages: lines, for line framing (raw framing has no stage). */
    public static final String FRAMING = "framing";
    /** Turns each message into text in the service's charset. */
    public static final String TEXT = "text";
    /** With {@code --hex-dump}: the connection's bytes both ways to the dump file, ahead of the service's stages. */
    public static final String HEX_DUMP = "hex-dump";

    private final Guard guard;
    private final @Nullable ServerTls tls;
    private final ConnectionRegistry connections;
    private final Consumer<Channel> service;

    /**
     * @param tls TLS for every connection, or {@code null} for plaintext
     * @param service adds the service's handlers, e.g. {@code Service::initChannel}
     */
    public ServerPipeline(
            Guard guard, @Nullable ServerTls tls, ConnectionRegistry connections, Consumer<Channel> service) {
        this.guard = guard;
        this.tls = tls;
        this.connections = connections;
        this.service = service;
    }

    /**
     * Adds the stages that turn bytes into text messages, for a service that takes them: {@link #FRAMING} (none for
     * raw framing; {@code maxLine} bounds a line in bytes), then {@link #TEXT}.
     */
    public static void addTextDecoders(ChannelPipeline pipeline, Framing framing, int maxLine, Charset charset) {
        ChannelHandler decoder = framing.newDecoder(maxLine);
        if (decoder != null) {
            pipeline.addLast(FRAMING, decoder);
        }
        pipeline.addLast(TEXT, new TextMessageDecoder(charset, framing));
    }

    @Override
    protected void initChannel(Channel ch) {
        guard.admit(ch, this::readProxyHeader, this::serve);
    }

    private void readProxyHeader(Channel ch) {
        ch.pipeline()
                .addLast(PROXY_SIGNATURE, Guard.newProxySignatureCheck())
                .addLast(PROXY_PROTOCOL, Guard.newProxyDecoder())
                .addLast(PROXY_HEADER, guard.newProxyHeaderHandler(this::serve));
    }

    /** The stages after admission, in pipeline order. */
    private void serve(Channel ch) {
        ChannelPipeline pipeline = ch.pipeline();
        ChannelHandler idle = guard.newIdleTimeout();
        if (idle != null) {
            pipeline.addLast(IDLE_TIMEOUT, idle);
        }
        if (tls != null) {
            pipeline.addLast(TLS, tls.newSslHandler(ch)).addLast(TLS_EVENTS, tls.newEventHandler());
        }
        pipeline.addLast(METER, connections.track(ch));
        service.accept(ch);
    }
}
