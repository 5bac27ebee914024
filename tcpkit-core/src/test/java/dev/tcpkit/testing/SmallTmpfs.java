package dev.tcpkit.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A tiny tmpfs mounted over a directory, so that a test can fill a file system: {@code mount -t tmpfs -o size=64k}.
 * Mounting needs root (or CAP_SYS_ADMIN); where the test cannot mount, it is skipped with the reason, not failed.
 *
 * <pre>{@code
 * try (SmallTmpfs disk = SmallTmpfs.mount(dir, "64k")) {
 *     Path file = disk.dir().resolve("out.jsonl");
 *     ...
 * }
 * }</pre>
 */
public final class SmallTmpfs implements AutoCloseable {
    private final Path dir;

    private SmallTmpfs(Path dir) {
        this.dir = dir;
    }

    /** Mounts a tmpfs of {@code size} ({@code 64k}) over {@code dir}; skips the test where that is not permitted. */
    public static SmallTmpfs mount(Path dir, String size) throws InterruptedException {
        Result mounted = mountCommand(dir, size);
        assumeTrue(
                mounted.exit() == 0,
                () -> "cannot mount a tmpfs on " + dir + " here (needs root): " + mounted.output());
        return new SmallTmpfs(dir);
    }

    private static Result mountCommand(Path dir, String size) throws InterruptedException {
        try {
            return run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
        } catch (IOException noMountCommand) {
            return new Result(-1, String.valueOf(noMountCommand.getMessage()));
        }
    }

    /** The mounted directory. */
    public Path dir() {
        return dir;
    }

    /** Unmounts, lazily: a process that still holds a file open there cannot keep it mounted. */
    @Override
    public void close() throws IOException {
        Result unmounted;
        try {
            unmounted = run("umount", "-l", dir.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while unmounting " + dir, e);
        }
        if (unmounted.exit() != 0) {
            throw new IOException("cannot unmount " + dir + ": " + unmounted.output());
        }
    }

    private record Result(int exit, String output) {}

    private static Result run(String... command) throws IOException, InterruptedException {
        Process process =
                new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Result(-1, String.join(" ", command) + " did not finish within 10 s");
        }
        return new Result(
                process.exitValue(), new String(process.getInputStream().readAllBytes(), UTF_8).strip());
    }
}
