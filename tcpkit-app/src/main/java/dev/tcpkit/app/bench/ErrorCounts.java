package dev.tcpkit.app.bench;

/**
 * What went wrong during a run, by kind.
 *
 * @param connect connections that could not be opened (refused, timed out, no file descriptors), over UDP those
 *     refused at the first datagram (nothing listens)
 * @param reset connections lost to a socket error (reset by the server, broken pipe)
 * @param mismatch connections dropped because an echoed byte differed from the one sent, or more came back than went
 * @param shortEchoes connections whose echo never completed: closed by the server with bytes outstanding, or still
 *     missing bytes when the run ended
 * @param eof connections the server closed with nothing outstanding
 */
public record ErrorCounts(long connect, long reset, long mismatch, long shortEchoes, long eof) {
    static final ErrorCounts NONE = new ErrorCounts(0, 0, 0, 0, 0);

    /** All errors together. */
    public long total() {
        return connect + reset + mismatch + shortEchoes + eof;
    }

    ErrorCounts plus(ErrorCounts o) {
        return new ErrorCounts(
                connect + o.connect, reset + o.reset, mismatch + o.mismatch, shortEchoes + o.shortEchoes, eof + o.eof);
    }
}
