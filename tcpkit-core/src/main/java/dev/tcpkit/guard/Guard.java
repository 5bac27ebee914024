package dev.tcpkit.guard;

import dev.tcpkit.connection.ClientAddress;
import dev.tcpkit.connection.Cuts;
import dev.tcpkit.connection.DatagramCounters;
import dev.tcpkit.connection.ServerCounters;
import dev.tcpkit.connection.UnixPeer;
import dev.tcpkit.internal.Addresses;
import dev.tcpkit.internal.RateLimitedLog;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's gatekeeper: admits each accepted connection or closes it before anything is read from it or written to
 * it, and supplies the idle timeout of the admitted ones. One per server; every method runs on the connection's event
 * loop.
 *
 * <p>Admission, in order:
 *
 * <ol>
 *   <li>The TCP peer: without the PROXY protocol it must pass {@code --allow}/{@code --deny}; with it, it must be a
 *       trusted proxy ({@code --proxy-from}). Otherwise the connection is <em>denied</em>.
 *   <li>{@code --max-connections}: a connection beyond it is <em>refused</em>.
 *   <li>With the PROXY protocol only: the header is read (within its timeout), and the client it names must pass
 *       {@code --allow}/{@code --deny}. A missing or malformed header, or a denied client, is <em>denied</em>.
 *   <li>{@code --max-connections-per-ip}, counted on the client's address: beyond it the connection is
 *       <em>refused</em>.
 * </ol>
 *
 * <p>A connection on a Unix domain socket has no address: its peer, a process of this host, skips step 1 (and is
 * trusted to send a PROXY header), and step 4 applies only to the client a PROXY header names.
 *
 * A denied or refused connection is closed at once, counted in {@link ServerCounters}, and logged at most once a
 * second per kind. An admitted one is counted as accepted and handed to the {@code serve} step.
 */
public final class Guard {
    private static final Logger log = LoggerFactory.getLogger(Guard.class);
    /**
     * PROXY v2 TLVs accepted (the SSL and AWS ones are tens of bytes): bounds what a connection may make the server
     * hold before it is admitted, instead of the 64 KiB the header format allows.
     */
    private static final int MAX_PROXY_TLV_BYTES = 4096;

    private final GuardConfig config;
    private final ServerCounters counters;
    private final AccessRules access;
    private final ConnectionLimits limits;
    private final RateLimitedLog refusals;
    private final RateLimitedLog denials;
    private final RateLimitedLog drops;
    private final Cuts cuts;

    public Guard(GuardConfig config, ServerCounters counters) {
        LongSupplier nanoTime = System::nanoTime;
        this.config = config;
        this.counters = counters;
        this.access = new AccessRules(config.allow(), config.deny());
        this.limits = new ConnectionLimits(config.maxConnections(), config.maxConnectionsPerIp());
        this.refusals = new RateLimitedLog(log, "refused", nanoTime);
        this.denials = new RateLimitedLog(log, "denied", nanoTime);
        this.drops = new RateLimitedLog(log, "dropped", nanoTime);
        this.cuts = new Cuts(counters, log.getName(), nanoTime);
    }

    /**
     * Admits a newly accepted connection, then calls {@code serve} to add the handlers that serve it; or closes it.
     * Without the PROXY protocol this is decided here and now, before the connection becomes active. With it, the
     * TCP peer is checked here, then {@code readProxyHeader} adds the stages that read the header (see
     * {@link #newProxySignatureCheck()}), and {@code serve} runs once the header names a client that is admitted; the
     * handlers it adds are then sent {@code channelActive}, as if they had been there from the start.
     */
    @SuppressWarnings("FutureReturnValueIgnored") // closing a connection that is gone already has nothing to add
    public void admit(Channel ch, Consumer<Channel> readProxyHeader, Consumer<Channel> serve) {
        InetSocketAddress peer =
                ch.remoteAddress() instanceof InetSocketAddress inet && inet.getAddress() != null ? inet : null;
        if (peer == null && ClientAddress.unixPeerOf(ch) == null) {
            counters.countRefused(); // the peer left before it could be admitted
            ch.close();
            return;
        }
        // A Unix socket's peer is a process of this host: no address for the rules, trusted as a proxy.
        if (peer != null && !admitPeer(ch, peer)) {
            return;
        }
        if (!limits.tryTake(ch)) {
            String why = "--max-connections " + limits.max() + " reached";
            refuse(ch, ClientAddress.format(ch), why, why);
            return;
        }
        if (config.proxyProtocol()) {
            readProxyHeader.accept(ch);
        } else {
            admitClient(ch, peer, serve);
        }
    }

    /** Step 1 for a TCP peer; returns whether it passed, and if not, it is closed. */
    private boolean admitPeer(Channel ch, InetSocketAddress peer) {
        InetAddress ip = peer.getAddress();
        if (config.proxyProtocol()) {
            if (Cidr.firstContaining(config.proxyFrom(), ip) == null) {
                deny(ch, Addresses.format(peer), "not a trusted proxy (--proxy-from)");
                return false;
            }
        } else {
            String denial = access.denial(ip);
            if (denial != null) {
                deny(ch, Addresses.format(peer), denial);
                return false;
            }
        }
        return true;
    }

    /**
     * Steps 3 and 4 for a client that is known: the TCP peer, or the one a PROXY header named (already set as the
     * channel's {@link ClientAddress}), or {@code null} for a Unix socket's peer, which has no address. Returns whether
     * it was admitted and served; if not, it is closed.
     */
    boolean admitClient(Channel ch, @Nullable InetSocketAddress client, Consumer<Channel> serve) {
        if (client != null) {
            InetAddress ip = Addresses.unmapped(client.getAddress());
            if (config.proxyProtocol()) {
                String denial = access.denial(ip);
                if (denial != null) {
                    deny(ch, describe(ch), denial);
                    return false;
                }
            }
            if (!limits.tryTakeFor(ch, ip)) {
                refuse(
                        ch,
                        describe(ch),
                        "--max-connections-per-ip " + limits.maxPerIp() + " reached for " + Addresses.hostOf(ip),
                        "--max-connections-per-ip");
                return false;
            }
        }
        cuts.attachTo(ch);
        counters.countAccepted();
        serve.accept(ch);
        return true;
    }

    /**
     * A connection whose PROXY header was missing or malformed: denied, since nobody can say who the client is.
     *
     * @param reason what the rate-limited log counts {@code why} under, without the details the peer sent
     */
    @SuppressWarnings("FutureReturnValueIgnored") // closing is all there is to do
    void rejectHeader(Channel ch, String why, String reason) {
        counters.countDenied();
        denials.log(describe(ch), why, reason);
        ch.close();
    }

    /**
     * The first of the three stages that read a PROXY header, in pipeline order: fails the connection at the first
     * byte that cannot start a header, then removes itself.
     */
    public static ChannelHandler newProxySignatureCheck() {
        return new ProxySignatureCheck();
    }

    /** The second: Netty's header decoder, which removes itself once it has decoded the header. */
    public static ChannelHandler newProxyDecoder() {
        return new HAProxyMessageDecoder(MAX_PROXY_TLV_BYTES);
    }

    /**
     * The third: admits the client the header names, or denies the connection, within the header timeout; if
     * admitted, calls {@code serve} and removes itself.
     */
    public ChannelHandler newProxyHeaderHandler(Consumer<Channel> serve) {
        return new ProxyHeaderHandler(this, serve, config.proxyHeaderTimeout());
    }

    /**
     * The first stage of a UDP server's channel: drops the datagrams {@code --allow}/{@code --deny} refuse and those
     * longer than {@code maxDatagram} bytes, counting them in {@code counters} and logging at most one {@code
     * denied} and one {@code dropped} line a second per reason.
     */
    public ChannelHandler newDatagramGuard(DatagramCounters counters, int maxDatagram) {
        return new DatagramGuard(access, maxDatagram, counters, denials, drops);
    }

    /** A new handler that cuts an admitted connection after the idle timeout, or {@code null} without one. */
    public @Nullable ChannelHandler newIdleTimeout() {
        return config.idleTimeout().isZero() ? null : new IdleCutHandler(config.idleTimeout());
    }

    @SuppressWarnings("FutureReturnValueIgnored") // closing is all there is to do
    private void deny(Channel ch, String who, String why) {
        counters.countDenied();
        denials.log(who, why);
        ch.close();
    }

    @SuppressWarnings("FutureReturnValueIgnored") // closing is all there is to do
    private void refuse(Channel ch, String who, String why, String reason) {
        counters.countRefused();
        refusals.log(who, why, reason);
        ch.close();
    }

    /** The client, and the proxy it came through if a PROXY header named it. */
    private static String describe(Channel ch) {
        String client = ClientAddress.format(ch);
        if (!ClientAddress.isProxied(ch)) {
            return client;
        }
        UnixPeer proxy = ClientAddress.unixPeerOf(ch);
        return client + " via " + (proxy != null ? proxy.toString() : Addresses.format(ch.remoteAddress()));
    }
}
