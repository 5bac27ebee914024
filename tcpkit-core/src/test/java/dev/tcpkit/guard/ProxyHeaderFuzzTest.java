package dev.tcpkit.guard;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tcpkit.connection.ClientAddress;
import dev.tcpkit.connection.ConnectionRegistry;
import dev.tcpkit.connection.ServerCounters;
import dev.tcpkit.pipeline.ServerPipeline;
import dev.tcpkit.testing.FuzzInput;
import dev.tcpkit.testing.LeakRecorder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The PROXY protocol path of admission ({@link Guard} with {@code --proxy-protocol}: Netty's
 * {@code HAProxyMessageDecoder}, then {@link ProxyHeaderHandler}), fed any bytes in any chunks by a trusted proxy.
 * Whatever arrives:
 *
 * <ul>
 *   <li>the connection is counted exactly once, as accepted or as denied;
 *   <li>the service sees nothing unless its client was admitted, and an admitted client passes the access rules;
 *   <li>what the service reads is exactly the payload after the header: nothing of the header, nothing lost;
 *   <li>a connection still waiting for its header holds no more than the largest header tcpkit accepts;
 *   <li>no exception reaches the service, and every buffer is released.
 * </ul>
 *
 * <p>Input layout: see {@link FuzzInput}; the low bit of byte 0 adds access rules (allow {@code 10.0.0.0/8} and
 * {@code 2001:db8::/32}, deny {@code 10.6.6.0/24}). The seeds in {@code ProxyHeaderFuzzTestInputs/} are v1 and v2
 * headers (TCP4, TCP6, LOCAL, UNKNOWN, with TLVs), broken ones and plain text.
 */
final class ProxyHeaderFuzzTest {
    /** A v2 header with the largest address block (unix, 216 bytes) and the most TLV bytes Guard accepts. */
    private static final int MAX_HEADER = 16 + 216 + 4096;

    private static final InetSocketAddress PROXY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);
    private static final List<Cidr> ALLOW = List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("2001:db8::/32"));
    private static final List<Cidr> DENY = List.of(Cidr.parse("10.6.6.0/24"));

    @FuzzTest
    void anyBytesFromAProxyAdmitOnlyAHeadersAllowedClientAndLoseNothingAfterIt(byte[] bytes) {
        FuzzInput input = FuzzInput.parse(bytes);
        boolean rules = (input.parameter() & 1) == 1;
        GuardConfig config = new GuardConfig(
                0,
                0,
                Duration.ZERO,
                rules ? ALLOW : List.of(),
                rules ? DENY : List.of(),
                true,
                GuardConfig.LOOPBACK,
                GuardConfig.DEFAULT_PROXY_HEADER_TIMEOUT);
        ServerCounters counters = new ServerCounters();
        Guard guard = new Guard(config, counters);
        Service service = new Service();
        EmbeddedChannel ch = new FromProxy();
        ConnectionRegistry connections = new ConnectionRegistry("fuzz", false, Clock.systemUTC());
        ch.pipeline()
                .addLast(new ServerPipeline(
                        guard, null, connections, c -> c.pipeline().addLast(service)));

        List<ByteBuf> written = new ArrayList<>();
        int fed = 0; // bytes given to the connection before it closed
        for (byte[] chunk : input.chunks()) {
            if (!ch.isOpen()) {
                break;
            }
            ByteBuf buf = Unpooled.buffer(chunk.length).writeBytes(chunk); // never the shared empty buffer
            written.add(buf);
            ch.writeInbound(buf); // rethrows whatever reached the end of the pipeline
            fed += chunk.length;
        }
        boolean admitted = service.active;
        boolean waiting = ch.isOpen() && !admitted;
        ch.finishAndReleaseAll();

        assertThat(counters.accepted() + counters.denied() + counters.refused())
                .as("times the connection was counted")
                .isEqualTo(1);
        assertThat(counters.accepted()).isEqualTo(admitted ? 1 : 0);
        byte[] received = service.received.toByteArray();
        if (admitted) {
            assertThat(fed - received.length).as("header length").isBetween(1, MAX_HEADER);
            assertThat(received)
                    .as("the bytes after the header")
                    .isEqualTo(Arrays.copyOfRange(input.payload(), fed - received.length, fed));
            SocketAddress client = ClientAddress.of(ch);
            assertThat(client).isInstanceOf(InetSocketAddress.class);
            if (rules && client instanceof InetSocketAddress named) {
                InetAddress ip = named.getAddress();
                assertThat(Cidr.firstContaining(ALLOW, ip))
                        .as("allowed: %s", ip)
                        .isNotNull();
                assertThat(Cidr.firstContaining(DENY, ip)).as("denied: %s", ip).isNull();
            }
        } else {
            assertThat(received)
                    .as("bytes reached a client that was not admitted")
                    .isEmpty();
        }
        if (waiting) {
            assertThat(fed).as("bytes held while waiting for the header").isLessThanOrEqualTo(MAX_HEADER);
        }
        assertThat(service.exceptions).as("exceptions that reached the service").isEmpty();
        assertThat(written).allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
        assertThat(LeakRecorder.drain()).isEmpty();
    }

    /** An embedded channel whose peer is a trusted proxy on loopback, as an accepted TCP connection's would be. */
    private static final class FromProxy extends EmbeddedChannel {
        @Override
        protected SocketAddress remoteAddress0() {
            return PROXY;
        }
    }

    /** The service: records what it is given once its client is admitted. */
    private static final class Service extends ChannelInboundHandlerAdapter {
        boolean active;
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final List<Throwable> exceptions = new ArrayList<>();

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            active = true;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                received.writeBytes(ByteBufUtil.getBytes(buf));
            } finally {
                buf.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            exceptions.add(cause);
        }
    }
}
