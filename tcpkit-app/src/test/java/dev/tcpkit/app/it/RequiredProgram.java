package dev.tcpkit.app.it;

import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Third-party programs the process tests start: CI installs them ({@code .ci/run}) and a missing one fails there. */
final class RequiredProgram {
    private RequiredProgram() {}

    /**
     * Fails under {@code CI=true} if {@code name} is not on the {@code PATH}; on a developer's machine without it, skips
     * the test.
     */
    static void require(String name) {
        boolean found = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Path.of(d, name)));
        if (!found && "true".equals(System.getenv("CI"))) {
            fail(name + " is not installed, and CI needs it (.ci/run installs it)");
        }
        assumeThat(found)
                .as(name + " is installed (apt-get install " + name + ")")
                .isTrue();
    }
}
