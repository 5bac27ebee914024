package dev.tcpkit.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A line-oriented client of the chat service over a real socket: sends lines, reads lines, both in a given charset.
 * Every read has a timeout (30 s: the build machine may be very busy), so a missing line fails the test instead of hanging it.
 */
public final class ChatClient implements AutoCloseable {
    /** The first line the server sends, e.g. {@code *** welcome, you are user3; 3 online (...)}. */
    public static final Pattern WELCOME = Pattern.compile("\\*\\*\\* welcome, you are (\\S+); (\\d+) online .*");

    private final LoopbackClient client;
    private final Charset charset;
    private final BufferedReader in;
    private final String name;

    private ChatClient(LoopbackClient client, Charset charset) throws IOException {
        this.client = client;
        this.charset = charset;
        this.in = new BufferedReader(new InputStreamReader(client.socket().getInputStream(), charset));
        String welcome = readLine();
        Matcher m = WELCOME.matcher(welcome);
        if (!m.matches()) {
            throw new IOException("not a welcome line: " + welcome);
        }
        this.name = m.group(1);
    }

    /** Connects to 127.0.0.1:{@code port} and reads the welcome line. */
    public static ChatClient connect(int port, Charset charset) throws IOException {
        return connect(InetAddress.getLoopbackAddress(), port, charset);
    }

    /** Connects to {@code address}:{@code port} and reads the welcome line. */
    public static ChatClient connect(InetAddress address, int port, Charset charset) throws IOException {
        LoopbackClient client = LoopbackClient.connect(address, port);
        client.readTimeout(Duration.ofSeconds(30));
        try {
            return new ChatClient(client, charset);
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** The name the server gave this client when it joined. */
    public String name() {
        return name;
    }

    /** {@code host:port} of this client as the server shows it, e.g. {@code 127.0.0.1:53210}. */
    public String address() {
        return "127.0.0.1:" + client.socket().getLocalPort();
    }

    public Socket socket() {
        return client.socket();
    }

    /** Sends {@code line} and a newline. */
    public void say(String line) throws IOException {
        client.send((line + "\n").getBytes(charset));
    }

    /** Sends raw bytes, without adding anything. */
    public void send(byte[] bytes) throws IOException {
        client.send(bytes);
    }

    /** Stops sending: the server sees end of input. */
    public void shutdownOutput() throws IOException {
        client.shutdownOutput();
    }

    /** The next line; fails at end of stream or after the read timeout. */
    public String readLine() throws IOException {
        String line = in.readLine();
        if (line == null) {
            throw new IOException("end of stream");
        }
        return line;
    }

    /** The next {@code n} lines. */
    public List<String> readLines(int n) throws IOException {
        List<String> lines = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            lines.add(readLine());
        }
        return lines;
    }

    /** Reads lines until one matches and returns it; the lines before it are dropped. */
    public String awaitLine(Predicate<String> condition) throws IOException {
        while (true) {
            String line = readLine();
            if (condition.test(line)) {
                return line;
            }
        }
    }

    /** Reads to the end of the stream (the server closed), returning the lines that came before it. */
    public List<String> readToEnd() throws IOException {
        List<String> lines = new ArrayList<>();
        String line;
        while ((line = in.readLine()) != null) {
            lines.add(line);
        }
        return lines;
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
