package dev.tcpkit.service.exec;

import dev.tcpkit.service.Service;
import io.netty.channel.Channel;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Runs a program per connection, as inetd and UCSPI {@code tcpserver} do: the connection's input is the program's
 * stdin, its stdout goes to the client. The command runs directly, without a shell (name {@code sh -c '...'} for
 * one), with tcpkit's environment plus {@code PROTO=TCP}, {@code TCPREMOTEIP}, {@code TCPREMOTEPORT} (the real client
 * under the PROXY protocol), {@code TCPLOCALIP} and {@code TCPLOCALPORT}. Its stderr goes to tcpkit's stderr, each
 * line prefixed with the client ({@code 127.0.0.1:53210: ...}).
 *
 * <p>The client's half-close closes the program's stdin. When the program exits, what it wrote is delivered, then the
 * connection closes with reason {@code program-exited} ({@code exit status N} or {@code killed by signal N}). When the
 * client goes first (it closes, resets, or a write to it fails), the program and every process below it get
 * SIGTERM, then SIGKILL after the kill timeout. Backpressure both ways through the pipes: a client that does not read
 * stops the program's output, a program that does not read stops the client's input; memory stays flat.
 *
 * <p>The service puts no cap on the number of programs: bound it with the server's {@code maxConnections} (the
 * command-line application caps it at 256 unless told otherwise).
 */
public final class ExecService implements Service {
    private final List<String> command;
    private final Programs programs;

    private ExecService(List<String> command, Programs programs) {
        this.command = command;
        this.programs = programs;
    }

    /** A builder for {@code command} (the program, then its arguments). */
    public static Builder builder(List<String> command) {
        return new Builder(command);
    }

    @Override
    public String name() {
        return "exec";
    }

    @Override
    public void initChannel(Channel channel) {
        new Program(channel, command, programs).start(name());
    }

    /** The command, then its arguments. */
    public List<String> command() {
        return command;
    }

    /** Ends the programs still running (SIGTERM, then SIGKILL within {@code timeout}) and stops the service's threads. */
    @Override
    public void close(Duration timeout) {
        programs.close(timeout);
    }

    /** Configures an {@link ExecService}. */
    public static final class Builder {
        private final List<String> command;
        private Duration killTimeout = Duration.ofSeconds(5);

        private Builder(List<String> command) {
            this.command = List.copyOf(command);
        }

        /**
         * How long a program has to exit after SIGTERM before it gets SIGKILL, when its client went away (default 5 s;
         * zero: SIGKILL right after SIGTERM). Not negative.
         */
        public Builder killTimeout(Duration killTimeout) {
            this.killTimeout = Objects.requireNonNull(killTimeout);
            return this;
        }

        /**
         * Builds the service, after checking that the command can be run: an executable file, found on {@code PATH}
         * when its name has no {@code /}.
         *
         * @throws IllegalArgumentException without a command, with one that cannot be run (the message says why), or
         *     with a negative kill timeout
         */
        public ExecService build() {
            if (command.isEmpty()) {
                throw new IllegalArgumentException("no command: name the program to run");
            }
            if (killTimeout.isNegative()) {
                throw new IllegalArgumentException("kill timeout must not be negative: " + killTimeout);
            }
            String path = System.getenv("PATH");
            Executable.check(command.get(0), path == null ? "" : path);
            OutputStream stderr = new FileOutputStream(FileDescriptor.err);
            return new ExecService(command, new Programs(killTimeout, stderr));
        }
    }
}
