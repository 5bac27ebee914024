package dev.tcpkit.service.exec;

import dev.tcpkit.connection.ClientAddress;
import dev.tcpkit.connection.CloseReason;
import dev.tcpkit.connection.Connection;
import dev.tcpkit.connection.UnixPeer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection joined to one program: what the client sends goes to the program's stdin, what the program writes
 * to its stdout goes to the client. State lives on the connection's event loop; the pipes' blocking reads and writes
 * run on the service's pool ({@link Programs}) and hand their results back to the loop.
 *
 * <p>Backpressure through the pipes: while a write to stdin waits for the program to read, the connection is not
 * read; while the connection is not writable (over Netty's high water mark), stdout is not read, so the program
 * blocks in its own write. Each direction holds at most one 32 KiB read plus Netty's outbound buffer.
 *
 * <p>The client's half-close closes stdin. When the program exits, its output is read to the end and flushed, then
 * the connection closes with {@link CloseReason#PROGRAM_EXITED}. When the client goes first, the program and the
 * processes below it get SIGTERM, then SIGKILL after the kill timeout.
 */
final class Program extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(Program.class);
    private static final int CHUNK = 32 * 1024;

    private final Channel channel;
    private final List<String> command;
    private final Programs programs;
    /** What was read from the client and not yet written to stdin (one read burst at most: reading stops). */
    private final ArrayDeque<ByteBuf> toStdin = new ArrayDeque<>();

    private @Nullable Process process;
    private boolean writing;
    private boolean inputEnded;
    /** Stdin is closed, or the program stopped reading it: what the client sends now is dropped. */
    private boolean stdinDone;

    private boolean stdoutPaused;
    private boolean stdoutEnded;
    private boolean exited;

    Program(Channel channel, List<String> command, Programs programs) {
        this.channel = channel;
        this.command = command;
        this.programs = programs;
    }

    /** Installs the handler and starts the program off the event loop (a fork takes milliseconds). */
    void start(String name) {
        channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        channel.config().setAutoRead(false);
        channel.pipeline().addLast(name, this);
        ProcessBuilder builder = new ProcessBuilder(command);
        environment(builder.environment());
        String client = ClientAddress.format(channel);
        programs.execute(() -> launch(builder, client));
    }

    /**
     * UCSPI's variables, with the real client under {@code --proxy-protocol}; UCSPI-unix's for a Unix socket's peer,
     * its process and user when the transport could read them.
     */
    private void environment(Map<String, String> env) {
        UnixPeer unixPeer = ClientAddress.isProxied(channel) ? null : ClientAddress.unixPeerOf(channel);
        if (unixPeer != null) {
            env.put("PROTO", "UNIX");
            if (unixPeer.known()) {
                env.put("UNIXREMOTEPID", Integer.toString(unixPeer.pid()));
                env.put("UNIXREMOTEEUID", unixPeer.uidText());
            }
            return;
        }
        env.put("PROTO", "TCP");
        put(env, "TCPREMOTE", ClientAddress.of(channel));
        put(env, "TCPLOCAL", channel.localAddress());
    }

    private static void put(Map<String, String> env, String prefix, @Nullable SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            env.put(prefix + "IP", inet.getAddress().getHostAddress());
            env.put(prefix + "PORT", Integer.toString(inet.getPort()));
        }
    }

    private void launch(ProcessBuilder builder, String client) {
        Process started;
        try {
            started = programs.start(builder, client);
        } catch (IOException | RuntimeException e) {
            onLoop(() -> cannotRun(client, e));
            return;
        }
        if (!onLoop(() -> started(started))) {
            programs.terminate(started);
        }
    }

    @SuppressWarnings("FutureReturnValueIgnored") // a failed close leaves nothing more to do
    private void cannotRun(String client, Exception e) {
        String detail = "cannot run " + command.get(0) + ": " + e.getMessage();
        log.warn("exec: {} closed, {}", client, detail);
        Connection connection = Connection.of(channel);
        if (connection != null) {
            connection.closeReason(CloseReason.ERROR, detail);
        }
        channel.close();
    }

    @SuppressWarnings("FutureReturnValueIgnored") // the callback cannot fail
    private void started(Process started) {
        if (!channel.isActive()) {
            programs.terminate(started);
            return;
        }
        process = started;
        started.onExit().thenRun(() -> onLoop(this::exited));
        InputStream stdout = started.getInputStream();
        readStdout(stdout);
        feed();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf) || stdinDone) {
            ReferenceCountUtil.release(msg);
            return;
        }
        toStdin.add(buf);
        channel.config().setAutoRead(false);
        feed();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputEnded = true;
            feed();
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** Writes the next buffer to stdin on the pool; when none waits, closes stdin after a half-close, or reads on. */
    private void feed() {
        Process p = process;
        if (writing || p == null) {
            return;
        }
        if (stdinDone) {
            toStdin.forEach(ByteBuf::release);
            toStdin.clear();
        }
        ByteBuf next = toStdin.poll();
        OutputStream stdin = p.getOutputStream();
        if (next == null) {
            if (inputEnded) {
                closeStdin(stdin);
            } else {
                channel.config().setAutoRead(true);
            }
            return;
        }
        writing = true;
        programs.execute(() -> {
            boolean taken;
            try {
                next.readBytes(stdin, next.readableBytes());
                stdin.flush();
                taken = true;
            } catch (IOException programGone) {
                taken = false; // it closed its stdin or exited: the rest is dropped, the connection stays
            } finally {
                next.release();
            }
            boolean ok = taken;
            onLoop(() -> written(ok));
        });
    }

    private void written(boolean ok) {
        writing = false;
        stdinDone |= !ok;
        feed();
    }

    private void closeStdin(OutputStream stdin) {
        if (stdinDone) {
            return;
        }
        stdinDone = true;
        programs.execute(() -> {
            try {
                stdin.close();
            } catch (IOException alreadyGone) {
                // the program exited or closed its end: stdin is closed either way
            }
        });
    }

    /** Reads one chunk of stdout on the pool and hands it to the loop, which reads again while the client keeps up. */
    private void readStdout(InputStream stdout) {
        programs.execute(() -> {
            // A heap buffer: the pipe is read straight into its array. Into a direct one, Netty reads through a new
            // temporary array per chunk, and 200 MiB of output grew the heap by over 100 MiB of garbage.
            ByteBuf chunk = channel.alloc().heapBuffer(CHUNK);
            int n;
            try {
                n = chunk.writeBytes(stdout, CHUNK);
            } catch (IOException closed) {
                n = -1;
            }
            int read = n;
            if (!onLoop(() -> stdoutRead(stdout, chunk, read))) {
                chunk.release();
            }
        });
    }

    private void stdoutRead(InputStream stdout, ByteBuf chunk, int n) {
        if (n < 0) {
            chunk.release();
            stdoutEnded = true;
            closeIfDone();
            return;
        }
        if (!channel.isActive()) {
            chunk.release();
            return;
        }
        channel.writeAndFlush(chunk).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        if (channel.isWritable()) {
            readStdout(stdout);
        } else {
            stdoutPaused = true;
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Process p = process;
        if (stdoutPaused && channel.isWritable() && p != null) {
            stdoutPaused = false;
            readStdout(p.getInputStream());
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void exited() {
        exited = true;
        closeIfDone();
    }

    /** Once the program has exited and its output is read to the end: flush it, then close. */
    private void closeIfDone() {
        Process p = process;
        if (!exited || !stdoutEnded || p == null || !channel.isActive()) {
            return;
        }
        Connection connection = Connection.of(channel);
        if (connection != null) {
            connection.closeReason(CloseReason.PROGRAM_EXITED, exitDetail(p.exitValue()));
        }
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /** The JDK reports death by signal N as 128 + N, as a shell does. */
    static String exitDetail(int status) {
        return status > 128 ? "killed by signal " + (status - 128) : "exit status " + status;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        toStdin.forEach(ByteBuf::release);
        toStdin.clear();
        Process p = process;
        if (p != null && !exited) {
            programs.terminate(p); // the client went first
        }
        ctx.fireChannelInactive();
    }

    @Override
    @SuppressWarnings("FutureReturnValueIgnored") // a failed close leaves nothing more to do
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("closing {}: {}", ClientAddress.format(ctx.channel()), cause.toString());
        ctx.close();
    }

    private boolean onLoop(Runnable task) {
        try {
            channel.eventLoop().execute(task);
            return true;
        } catch (RejectedExecutionException loopStopped) {
            return false;
        }
    }
}
