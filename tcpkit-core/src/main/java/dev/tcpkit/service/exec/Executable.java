package dev.tcpkit.service.exec;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Finds a command the way {@code execvp} does, so that one that cannot be run is refused before a client comes. */
final class Executable {
    private Executable() {}

    /**
     * Checks that {@code command} can be run: a path (with a {@code /}) must be an executable file; a bare name must
     * be one in a directory of {@code path} (the {@code PATH} variable's value).
     *
     * @throws IllegalArgumentException naming the command and what is wrong with it
     */
    static void check(String command, String path) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command is empty");
        }
        if (command.indexOf('/') >= 0) {
            Path file = toPath(command);
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("cannot run " + command + ": not a file");
            }
            if (!Files.isExecutable(file)) {
                throw new IllegalArgumentException("cannot run " + command + ": not executable");
            }
            return;
        }
        for (String dir : path.split(File.pathSeparator, -1)) {
            Path file = toPath(dir.isEmpty() ? command : dir + "/" + command);
            if (Files.isRegularFile(file) && Files.isExecutable(file)) {
                return;
            }
        }
        throw new IllegalArgumentException("cannot run " + command + ": not found on PATH");
    }

    private static Path toPath(String name) {
        try {
            return Path.of(name);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("cannot run " + name + ": " + e.getReason(), e);
        }
    }
}
