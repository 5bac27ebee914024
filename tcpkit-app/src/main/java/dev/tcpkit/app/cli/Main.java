package dev.tcpkit.app.cli;

import dev.tcpkit.internal.StdStreams;
import java.io.PrintWriter;
import picocli.CommandLine;

/** The {@code tcpkit} program. */
public final class Main {
    private static final String LEAK_DETECTION = "io.netty.leakDetection.level";

    private Main() {}

    public static void main(String[] args) {
        // Netty samples one buffer in 128 for leak tracking by default, a cost on every message of a busy server.
        // tcpkit's own buffers are checked by the test suite at the paranoid level; -D still turns it back on.
        if (System.getProperty(LEAK_DETECTION) == null) {
            System.setProperty(LEAK_DETECTION, "disabled");
        }
        if (args.length == 1 && TcpkitCommand.VERSION.contains(args[0])) {
            // Scripts run this one in loops: answered without building the command line, the most of its time.
            PrintWriter out = StdStreams.stdoutWriter();
            for (String line : new VersionProvider().getVersion()) {
                out.println(line);
            }
            out.flush();
            System.exit(0);
        }
        System.exit(TcpkitCommand.newCommandLine(args).execute(args));
    }

    /** Every command, as {@code --help} shows them: the build makes the shell completion and man pages from it. */
    public static CommandLine commandLine() {
        return TcpkitCommand.newCommandLine();
    }
}
