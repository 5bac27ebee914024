package dev.tcpkit.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The file descriptors this JVM has open: sockets included, so a leaked connection shows here. Linux only. */
public final class OpenFiles {
    private static final Path FDS = Path.of("/proc/self/fd");

    private OpenFiles() {}

    /** Whether this system lets a process count its descriptors. */
    public static boolean countable() {
        return Files.isDirectory(FDS);
    }

    /** How many descriptors are open now. */
    public static long count() {
        try (Stream<Path> fds = Files.list(FDS)) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
