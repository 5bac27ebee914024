package dev.tcpkit.cli;

/** The {@code tcpkit} program. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(TcpkitCommand.newCommandLine(args).execute(args));
    }
}
