package dev.tcpkit.transport;

import dev.tcpkit.internal.Errors;
import dev.tcpkit.options.BindFailedException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The file a Unix domain socket is to listen at, made ready for the bind: a socket file nobody listens on any more (a
 * server that died without removing it) is replaced; one a server listens on is left to it; anything else is refused
 * and never deleted.
 */
final class SocketFile {
    /** {@code S_IFMT} and {@code S_IFSOCK} of {@code stat(2)}'s mode. */
    private static final int FILE_TYPE = 0170000;

    private static final int SOCKET = 0140000;

    private SocketFile() {}

    /**
     * Removes a stale socket file at {@code path}; leaves a missing one as it is.
     *
     * @param display the address as the failure's message names it, {@code unix:PATH}
     * @throws BindFailedException if a server listens there ("address already in use"), or the path is not a socket,
     *     or cannot be looked at or removed
     */
    static void prepare(Path path, String display) throws BindFailedException {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if ((mode & FILE_TYPE) != SOCKET) {
                throw new BindFailedException(display, "exists and is not a socket", new IOException(path.toString()));
            }
            if (listening(path)) {
                throw new BindFailedException(
                        display, "address already in use", new IOException("a server listens at " + path));
            }
            Files.delete(path);
        } catch (NoSuchFileException missing) {
            // Nothing to replace: the bind makes the file.
        } catch (BindFailedException e) {
            throw e;
        } catch (IOException e) {
            throw new BindFailedException(display, Errors.reason(e), e);
        }
    }

    /**
     * Whether a server accepts at {@code path}: a connect refused means none does. The connect is not waited for: a
     * server whose accept queue is full is listening too.
     */
    private static boolean listening(Path path) throws IOException {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.configureBlocking(false);
            probe.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (ConnectException refused) {
            return false;
        }
    }
}
