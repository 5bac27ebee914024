package dev.tcpkit.app.client;

import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies stdin to the connection on a thread of its own (a keyboard blocks), so that sending never waits for the
 * server and printing never waits for the keyboard. Each chunk is written before the next is read: a slow server
 * slows stdin, nothing piles up. At end of input it half-closes the connection (the server sees EOF) and leaves the receiving side open.
 */
final class StdinPump implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(StdinPump.class);
    private static final int CHUNK = 16 * 1024;

    private final InputStream stdin;
    private final @Nullable Reader text;
    private final @Nullable TextEncoder encoder;
    private final Channel channel;
    private final Activity activity;

    /**
     * @param encoding the wire's charset: typed text (in the console's charset) is transcoded to it; {@code null}
     *     sends stdin's bytes as they are
     */
    StdinPump(InputStream stdin, @Nullable Charset encoding, Charset console, Channel channel, Activity activity) {
        this.stdin = stdin;
        // InputStreamReader returns what is decoded so far as soon as no more input is ready: one typed line.
        this.text = encoding == null ? null : new InputStreamReader(stdin, console);
        this.encoder = encoding == null ? null : new TextEncoder(encoding);
        this.channel = channel;
        this.activity = activity;
    }

    @Override
    public void run() {
        try {
            byte[] chunk;
            while ((chunk = nextChunk()) != null) {
                if (!activity.send(channel, chunk)) {
                    return;
                }
            }
            // The end of the text: what a stateful charset writes last, the replacement for a lone high surrogate.
            if (encoder != null && !activity.send(channel, encoder.encodeLast(""))) {
                return;
            }
            if (channel instanceof DuplexChannel duplex && channel.isActive()) {
                // Over TLS too, a TCP half-close and no close_notify: Netty's OpenSSL engine answers a close_notify
                // by closing its own sending side, and the server's last answers would be lost.
                duplex.shutdownOutput().awaitUninterruptibly();
            }
        } catch (IOException e) {
            log.warn("cannot read stdin: {}", e.toString());
        }
    }

    /** The next bytes to send, or {@code null} at end of input. */
    private byte @Nullable [] nextChunk() throws IOException {
        Reader reader = text;
        TextEncoder wire = encoder;
        if (reader == null || wire == null) {
            byte[] buf = new byte[CHUNK];
            int n = stdin.read(buf);
            return n < 0 ? null : Arrays.copyOf(buf, n);
        }
        char[] buf = new char[CHUNK];
        int n = reader.read(buf);
        return n < 0 ? null : wire.encode(CharBuffer.wrap(buf, 0, n));
    }
}
