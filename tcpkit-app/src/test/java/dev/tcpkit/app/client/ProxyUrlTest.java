package dev.tcpkit.app.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.proxy.ProxyHandler;
import io.netty.handler.proxy.Socks5ProxyHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

final class ProxyUrlTest {
    private static final Duration TIMEOUT = Duration.ofMillis(1500);

    @Test
    void showsSchemeHostAndPortButNeverTheCredentials() {
        assertThat(ProxyUrl.parse("socks5://alice:s3cret@127.0.0.1:1080", null)).hasToString("socks5://127.0.0.1:1080");
        assertThat(ProxyUrl.parse("SOCKS5H://bob@proxy.example:1080", "from-env"))
                .hasToString("socks5h://proxy.example:1080");
        assertThat(ProxyUrl.parse("http://[::1]:3128/", null)).hasToString("http://[::1]:3128");
    }

    @Test
    void makesNettysHandlerForTheSchemeWithTheCredentialsAndTheTimeout() throws Exception {
        ProxyHandler socks = ProxyUrl.parse("socks5://alice:s%3Aecret@127.0.0.1:1080", null)
                .resolved()
                .newHandler(TIMEOUT);
        assertThat(socks).isInstanceOfSatisfying(Socks5ProxyHandler.class, h -> {
            assertThat(h.username()).isEqualTo("alice");
            assertThat(h.password()).isEqualTo("s:ecret");
        });
        assertThat(socks.connectTimeoutMillis()).isEqualTo(1500);
        assertThat(socks.<InetSocketAddress>proxyAddress().isUnresolved()).isFalse();

        ProxyHandler http =
                ProxyUrl.parse("http://127.0.0.1:3128", null).resolved().newHandler(TIMEOUT);
        assertThat(http)
                .isInstanceOfSatisfying(
                        HttpProxyHandler.class, h -> assertThat(h.username()).isNull());
    }

    @Test
    void aUserWithoutAPasswordTakesItFromTheVariableAndNeedsOne() throws Exception {
        ProxyHandler handler = ProxyUrl.parse("socks5://alice@127.0.0.1:1080", "from-env")
                .resolved()
                .newHandler(TIMEOUT);
        assertThat(((Socks5ProxyHandler) handler).password()).isEqualTo("from-env");
        ProxyHandler given = ProxyUrl.parse("socks5://alice:typed@127.0.0.1:1080", "from-env")
                .resolved()
                .newHandler(TIMEOUT);
        assertThat(((Socks5ProxyHandler) given).password()).isEqualTo("typed");

        assertThatThrownBy(() -> ProxyUrl.parse("socks5://alice@127.0.0.1:1080", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(ProxyUrl.PASSWORD_VARIABLE);
    }

    @Test
    void refusesAnotherSchemeAMissingPortOrAPathWithoutQuotingTheUrl() {
        assertThatThrownBy(() -> ProxyUrl.parse("ftp://u:hunter2@h:21", null))
                .hasMessage("proxy must be socks5://, socks5h:// or http:// (HTTP CONNECT), not 'ftp://'");
        assertThatThrownBy(() -> ProxyUrl.parse("socks5://u:hunter2@h", null))
                .hasMessage("proxy needs HOST:PORT after socks5://");
        assertThatThrownBy(() -> ProxyUrl.parse("http://u:hunter2@h:1/x", null))
                .hasMessage("proxy needs nothing after HOST:PORT");
        assertThatThrownBy(() -> ProxyUrl.parse("127.0.0.1:1080", null)).hasMessageStartingWith("proxy must be");
        assertThatThrownBy(() -> ProxyUrl.parse("socks5://u:hun ter2@h:1", null))
                .isInstanceOf(IllegalArgumentException.class)
                .message()
                .doesNotContain("hun");
    }

    @Test
    void socks5LooksTheServerUpHereWhileSocks5hAndHttpPassTheNameOn() throws Exception {
        assertThat(ProxyUrl.targets(ProxyUrl.parse("socks5://127.0.0.1:1080", null), "127.0.0.1", 7))
                .containsExactly(new InetSocketAddress(InetAddress.getLoopbackAddress(), 7));
        for (String proxy : new String[] {"socks5h://127.0.0.1:1080", "http://127.0.0.1:3128"}) {
            assertThat(ProxyUrl.targets(ProxyUrl.parse(proxy, null), "localhost", 7))
                    .singleElement()
                    .satisfies(a -> {
                        assertThat(a.isUnresolved()).isTrue();
                        assertThat(a.getHostString()).isEqualTo("localhost");
                        assertThat(a.getPort()).isEqualTo(7);
                    });
        }
        assertThat(ProxyUrl.targets(null, "127.0.0.1", 7))
                .containsExactly(new InetSocketAddress(InetAddress.getLoopbackAddress(), 7));
    }
}
