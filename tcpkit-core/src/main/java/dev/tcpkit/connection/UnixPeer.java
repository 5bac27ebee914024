package dev.tcpkit.connection;

/**
 * The process at the other end of a Unix domain stream socket, as its credentials ({@code SO_PEERCRED}) name it:
 * shown as {@code unix:pid=PID,uid=UID}, or {@code unix:?} where the transport cannot read them.
 *
 * @param pid the peer's process id, or {@code -1} when unknown
 * @param uid the peer's effective user id (unsigned), or {@code -1} when unknown
 */
public record UnixPeer(int pid, int uid) {
    /** A peer whose credentials the transport cannot read (NIO). */
    public static final UnixPeer UNKNOWN = new UnixPeer(-1, -1);

    /** Whether the credentials were read. */
    public boolean known() {
        return pid >= 0;
    }

    /** The user id as the system shows it: unsigned. */
    public String uidText() {
        return Integer.toUnsignedString(uid);
    }

    /** {@code unix:pid=PID,uid=UID}, or {@code unix:?}. */
    @Override
    public String toString() {
        return known() ? "unix:pid=" + pid + ",uid=" + uidText() : "unix:?";
    }
}
