package dev.tcpkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Exports;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
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
                        "dev.tcpkit.sink",
                        "dev.tcpkit.service.chat",
                        "dev.tcpkit.service.exec",
                        "dev.tcpkit.service.forward",
                        "dev.tcpkit.service.message",
                        "dev.tcpkit.connection");
    }

    /**
     * What is public in the exported packages is what an embedder writes against: the front door, the service
     * contract and the built-in services' builders, the vocabulary and the codecs. ({@code dev.tcpkit.connection},
     * what a server counts, is left out here.)
     */
    @Test
    void thePublicTypesOfTheExportedPackagesAreTheApi() throws IOException {
        Set<String> packages = Set.of(
                "dev.tcpkit",
                "dev.tcpkit.options",
                "dev.tcpkit.codec",
                "dev.tcpkit.service",
                "dev.tcpkit.sink",
                "dev.tcpkit.service.chat",
                "dev.tcpkit.service.exec",
                "dev.tcpkit.service.forward",
                "dev.tcpkit.service.message");
        Set<String> publicTypes = new TreeSet<>();
        for (String pkg : packages) {
            try (Stream<Path> classes = Files.list(DESCRIPTOR.resolveSibling(pkg.replace('.', '/')))) {
                classes.map(file -> file.getFileName().toString())
                        .filter(name -> name.endsWith(".class") && !name.contains("$") && !name.startsWith("package-"))
                        .map(name -> pkg + "." + name.substring(0, name.length() - ".class".length()))
                        .filter(ModuleExportsTest::isPublic)
                        .forEach(publicTypes::add);
            }
        }

        assertThat(publicTypes)
                .containsExactlyInAnyOrder(
                        "dev.tcpkit.Services",
                        "dev.tcpkit.TcpServer",
                        "dev.tcpkit.sink.RecordSink",
                        "dev.tcpkit.sink.SinkBacklog",
                        "dev.tcpkit.options.BindFailedException",
                        "dev.tcpkit.options.ReloadFailedException",
                        "dev.tcpkit.options.TlsProvider",
                        "dev.tcpkit.options.TlsSetupException",
                        "dev.tcpkit.options.TlsSource",
                        "dev.tcpkit.options.Transport",
                        "dev.tcpkit.options.TransportUnavailableException",
                        "dev.tcpkit.codec.Framing",
                        "dev.tcpkit.codec.HexDumpLines",
                        "dev.tcpkit.codec.LineFrameDecoder",
                        "dev.tcpkit.codec.LineSink",
                        "dev.tcpkit.codec.TextDecoder",
                        "dev.tcpkit.codec.TextMessage",
                        "dev.tcpkit.codec.TextMessageDecoder",
                        "dev.tcpkit.service.Service",
                        "dev.tcpkit.service.chat.ChatLink",
                        "dev.tcpkit.service.chat.ChatService",
                        "dev.tcpkit.service.exec.ExecService",
                        "dev.tcpkit.service.forward.ForwardService",
                        "dev.tcpkit.service.forward.ProxyVersion",
                        "dev.tcpkit.service.message.MessageService");
    }

    private static boolean isPublic(String className) {
        try {
            return Modifier.isPublic(Class.forName(className, false, ModuleExportsTest.class.getClassLoader())
                    .getModifiers());
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
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
                        "dev.tcpkit.output",
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
