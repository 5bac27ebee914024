package dev.tcpkit.testing;

import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Third-party programs the process tests start: CI installs them ({@code .ci/run}) and a missing one fails there. */
public final class RequiredProgram {
    private RequiredProgram() {}

    /**
     * Fails under {@code CI=true} if {@code name} is not on the {@code PATH}; on a developer's machine without it, skips
     * the test.
     */
    public static void require(String name) {
        require(name, name);
    }

    /** As {@link #require(String)}, for a program that comes in a Debian package of another name. */
    public static void require(String name, String debianPackage) {
        boolean found = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Path.of(d, name)));
        if (!found && "true".equals(System.getenv("CI"))) {
            fail(name + " is not installed, and CI needs it (.ci/run installs " + debianPackage + ")");
        }
        assumeThat(found)
                .as(name + " is installed (apt-get install " + debianPackage + ")")
                .isTrue();
    }
}
