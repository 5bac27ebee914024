package dev.tcpkit.examples;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpkit.TcpServer;
import dev.tcpkit.testing.LoopbackClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
final class UpperCaseServerTest {

    @Test
    void answersEveryChunkInUpperCase() throws Exception {
        try (TcpServer server = UpperCaseServer.start(0);
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            client.send("hello, tcpkit 42", US_ASCII);
            assertThat(new String(client.readExactly(16), US_ASCII)).isEqualTo("HELLO, TCPKIT 42");
            assertThat(server.service().name()).isEqualTo("upper");
        }
    }
}
