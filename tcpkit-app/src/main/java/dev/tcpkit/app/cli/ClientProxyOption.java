package dev.tcpkit.app.cli;

import dev.tcpkit.app.client.ProxyUrl;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** {@code --proxy URL} of {@code connect} and {@code bench}: reach the server through a SOCKS5 or HTTP proxy. */
final class ClientProxyOption {
    @Option(
            names = "--proxy",
            paramLabel = "URL",
            description = "Connect through a proxy: socks5://[USER:PASS@]HOST:PORT (the server's name looked up here),"
                    + " socks5h://... (looked up by the proxy) or http://... (HTTP CONNECT). USER@ alone takes the"
                    + " password from $" + ProxyUrl.PASSWORD_VARIABLE + "; credentials are never printed.")
    @Nullable
    String url;

    /** The proxy given, or {@code null}; a malformed URL is a usage error. */
    @Nullable
    ProxyUrl parse(CommandSpec spec) {
        if (url == null) {
            return null;
        }
        try {
            return ProxyUrl.parse(url, System.getenv(ProxyUrl.PASSWORD_VARIABLE));
        } catch (IllegalArgumentException e) {
            throw UsageErrors.of(spec, e);
        }
    }
}
