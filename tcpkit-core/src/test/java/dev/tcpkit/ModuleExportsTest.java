package dev.tcpkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Exports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The module descriptor is the library's contract with embedders: only the API packages are exported to everyone,
 * and the server's inside reaches the command-line application alone.
 */
class ModuleExportsTest {
    private static final Path DESCRIPTOR = Path.of("target", "classes", "module-info.class");

    @Test
    void exportsOnlyTheApiToEveryone() throws IOException {
        ModuleDescriptor module = descriptor();

        assertThat(module.name()).isEqualTo("dev.tcpkit.core");
        assertThat(module.exports().stream()
                        .filter(e -> !e.isQualified())
                        .map(Exports::source)
                        .collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(
                        "dev.tcpkit",
                        "dev.tcpkit.options",
                        "dev.tcpkit.codec",
                        "dev.tcpkit.service",
                        "dev.tcpkit.service.chat",
                        "dev.tcpkit.service.message",
                        "dev.tcpkit.output",
                        "dev.tcpkit.connection");
    }

    @Test
    void exportsTheServersInsideToTheApplicationOnly() throws IOException {
        Map<String, Set<String>> qualified = descriptor().exports().stream()
                .filter(Exports::isQualified)
                .collect(Collectors.toMap(Exports::source, Exports::targets));

        assertThat(qualified)
                .containsOnlyKeys(
                        "dev.tcpkit.admin",
                        "dev.tcpkit.guard",
                        "dev.tcpkit.internal",
                        "dev.tcpkit.security",
                        "dev.tcpkit.transport");
        assertThat(qualified.values()).allSatisfy(targets -> assertThat(targets).containsExactly("dev.tcpkit.app"));
    }

    @Test
    void opensNothingAndProvidesNoLoggingConfiguration() throws IOException {
        ModuleDescriptor module = descriptor();

        assertThat(module.opens()).isEmpty();
        assertThat(module.provides()).isEmpty();
    }

    private static ModuleDescriptor descriptor() throws IOException {
        try (InputStream in = Files.newInputStream(DESCRIPTOR)) {
            return ModuleDescriptor.read(in);
        }
    }
}
