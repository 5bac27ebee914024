package dev.tcpkit.app.client;

import dev.tcpkit.internal.Errors;
import dev.tcpkit.options.Transport;
import dev.tcpkit.transport.Bootstraps;
import dev.tcpkit.transport.IoSupport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code tcpkit connect --udp} session: datagrams between a console (stdin, stdout) and a server.
 *
 * <p>Each stdin line (without its line end), or each text to send, is one datagram; each datagram received is
 * printed on a line of its own. Scripted, each text waits for a reply (up to the timeout) before the next; at the end
 * of the input, or after the last text, printing goes on until the server has been silent for the timeout. The
 * channel is connected to the server: the kernel passes on only its datagrams, and an ICMP port unreachable (nothing
 * listens there) ends the session as "connection refused".
 *
 * <p>Threads: the event loop prints what arrives; the caller's thread waits for the session to end; interactive
 * sessions read stdin on a daemon thread of their own.
 */
public final class DatagramSession implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DatagramSession.class);
    /** The largest UDP payload (over IPv4; IPv6 without jumbograms allows 8 bytes more, which nobody sends). */
    private static final int MAX_DATAGRAM = 65_507;

    private final ClientConfig config;
    private final EventLoopGroup group;
    private final Channel channel;
    private final Activity activity;

    private DatagramSession(ClientConfig config, EventLoopGroup group, Channel channel, Activity activity) {
        this.config = config;
        this.group = group;
        this.channel = channel;
        this.activity = activity;
    }

    /**
     * Opens a datagram channel connected to the server's first address and starts printing what it sends to {@code
     * stdout}. Nothing is sent yet, so nothing is known about the server: a refusal comes with the first answer.
     *
     * @throws ConnectFailedException with a one-line message, e.g. for an unknown host
     */
    public static DatagramSession open(ClientConfig config, OutputStream stdout) throws ConnectFailedException {
        InetAddress address;
        try {
            address = InetAddress.getByName(config.host());
        } catch (UnknownHostException e) {
            throw failed(config, e);
        }
        Activity activity = new Activity();
        IoSupport io = IoSupport.resolve(Transport.AUTO);
        EventLoopGroup group = io.newGroup(1, new DefaultThreadFactory("tcpkit-client", true));
        ChannelFuture connected = Bootstraps.datagramClient(io, group, MAX_DATAGRAM)
                .handler(new ReceiveHandler(stdout, config.encoding(), config.console(), activity, true))
                .connect(new InetSocketAddress(address, config.port()))
                .awaitUninterruptibly();
        if (!connected.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            throw failed(config, connected.cause());
        }
        return new DatagramSession(config, group, connected.channel(), activity);
    }

    private static ConnectFailedException failed(ClientConfig config, Throwable cause) {
        // The JDK's says only its type.
        String reason = cause instanceof PortUnreachableException ? "connection refused" : Errors.reason(cause);
        return new ConnectFailedException("cannot connect to " + config.displayAddress() + " (udp): " + reason, cause);
    }

    /**
     * Runs the session to its end: scripted if the config has texts to send, otherwise with {@code stdin}'s lines.
     *
     * @throws ConnectFailedException if the server refused (nothing listens on its port)
     */
    public void run(InputStream stdin) throws IOException, InterruptedException {
        if (config.recvFirst()) {
            activity.awaitReadAfter(0, config.timeout());
        }
        if (config.scripted()) {
            sendEach(config.sends());
        } else {
            CountDownLatch inputEnded = new CountDownLatch(1);
            channel.closeFuture().addListener(closed -> inputEnded.countDown());
            Thread pump = new Thread(() -> sendLines(stdin, inputEnded), "tcpkit-stdin");
            pump.setDaemon(true); // a keyboard read cannot be interrupted; the process may end while it waits
            pump.start();
            inputEnded.await();
        }
        activity.awaitCloseOrSilence(config.timeout());
        channel.close().awaitUninterruptibly();
        activity.awaitClose();
        Throwable failure = activity.failure();
        if (failure != null) {
            throw failed(config, failure);
        }
    }

    private void sendEach(List<String> texts) throws InterruptedException {
        for (int i = 0; i < texts.size() && !activity.isClosed(); i++) {
            long seen = activity.reads();
            if (!send(texts.get(i))) {
                return;
            }
            if (i < texts.size() - 1) {
                activity.awaitReadAfter(seen, config.timeout());
            }
        }
    }

    private void sendLines(InputStream stdin, CountDownLatch inputEnded) {
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(stdin, config.console()));
            String line;
            while ((line = lines.readLine()) != null && send(line)) {
                // each line went out as one datagram
            }
        } catch (IOException e) {
            log.warn("cannot read stdin: {}", e.toString());
        } finally {
            inputEnded.countDown();
        }
    }

    /**
     * Sends {@code text} as one datagram, in a stream of its own (a UTF-16 text has its byte-order mark); returns
     * whether it went out. One that did not ends the session (a refusal reported on the send, a datagram too long).
     */
    @SuppressWarnings("FutureReturnValueIgnored") // the session's end waits for the close
    private boolean send(String text) {
        if (activity.send(channel, new TextEncoder(config.sendCharset()).encodeLast(text))) {
            return true;
        }
        channel.close();
        return false;
    }

    /** Closes the channel if still open and stops the event loop. */
    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
