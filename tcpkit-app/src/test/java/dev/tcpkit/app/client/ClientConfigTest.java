package dev.tcpkit.app.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcpkit.options.TlsProvider;
import dev.tcpkit.security.TlsContexts;
import io.netty.handler.ssl.SslContext;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class ClientConfigTest {
    private static final Duration FIVE_SECONDS = Duration.ofSeconds(5);

    @Test
    void rejectsAPortOutsideOneTo65535QuotingIt() {
        assertThatThrownBy(() -> config("127.0.0.1", 0)).hasMessage("port must be in 1..65535: 0");
        assertThatThrownBy(() -> config("127.0.0.1", 70000)).hasMessage("port must be in 1..65535: 70000");
    }

    @Test
    void rejectsATimeoutThatIsNotPositive() {
        assertThatThrownBy(() -> new ClientConfig("h", 1, null, UTF_8, List.of(), false, Duration.ZERO))
                .hasMessage("timeout must be > 0: PT0S");
    }

    @Test
    void showsAnIpv6LiteralBracketedOnceWhetherOrNotItWasTypedInBrackets() {
        assertThat(config("[::1]", 80).host()).isEqualTo("::1");
        assertThat(config("[::1]", 80).displayAddress()).isEqualTo("[::1]:80");
        assertThat(config("::1", 80).displayAddress()).isEqualTo("[::1]:80");
        assertThat(config("example.org", 80).displayAddress()).isEqualTo("example.org:80");
    }

    @Test
    void sendsTextInTheWireCharsetOrElseTheConsoleOne() {
        Charset gbk = Charset.forName("GBK");
        assertThat(new ClientConfig("h", 1, gbk, UTF_8, List.of(), false, FIVE_SECONDS).sendCharset())
                .isEqualTo(gbk);
        assertThat(config("h", 1).sendCharset()).isEqualTo(UTF_8);
    }

    @Test
    void keepsItsOwnCopyOfTheTextsToSend() {
        List<String> sends = new ArrayList<>(List.of("one"));
        ClientConfig config = new ClientConfig("h", 1, null, UTF_8, sends, false, FIVE_SECONDS);
        sends.add("two");
        assertThat(config.sends()).containsExactly("one");
        assertThat(config.scripted()).isTrue();
        assertThat(config("h", 1).scripted()).isFalse();
    }

    @Test
    void withTlsKeepsEverythingElse() throws Exception {
        ClientConfig plain = new ClientConfig("[::1]", 7, null, UTF_8, List.of("hi"), true, FIVE_SECONDS);
        SslContext tls = TlsContexts.client(null, true, null, TlsProvider.JDK);
        assertThat(plain.withTls(tls))
                .isEqualTo(new ClientConfig("::1", 7, null, UTF_8, List.of("hi"), true, FIVE_SECONDS).withTls(tls));
        assertThat(plain.withTls(null)).isEqualTo(plain);
    }

    private static ClientConfig config(String host, int port) {
        return new ClientConfig(host, port, null, UTF_8, List.of(), false, FIVE_SECONDS);
    }
}
