package dev.tcpkit.options;

import java.io.IOException;
import java.util.List;

/**
 * A server's reload failed in part: what failed keeps what it had (the old certificate, the old output file) and the
 * server keeps running. The message is the one line a user sees: what failed and why, then what was reloaded.
 */
public final class ReloadFailedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final List<String> reloaded;

    /**
     * @param reloaded what was reloaded all the same ({@code "output file"})
     * @param failures what was not, each with its reason ({@code "tls certificate (key.pem: ...)"})
     */
    public ReloadFailedException(List<String> reloaded, List<String> failures) {
        super("not reloaded: " + String.join(", ", failures)
                + (reloaded.isEmpty() ? "" : "; reloaded: " + String.join(", ", reloaded)));
        this.reloaded = List.copyOf(reloaded);
    }

    /** What was reloaded all the same. */
    public List<String> reloaded() {
        return reloaded;
    }
}
