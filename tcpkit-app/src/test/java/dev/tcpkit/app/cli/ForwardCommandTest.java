package dev.tcpkit.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code tcpkit serve forward}'s command line, in process: its help and its usage errors (nothing is served). */
@Timeout(30)
final class ForwardCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int execute(String... args) {
        return TcpkitCommand.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true), args)
                .execute(args);
    }

    @Test
    void helpShowsItsOptionsBesideEveryServicesOnes() {
        assertThat(execute("serve", "forward", "--help")).isZero();
        assertThat(out.toString())
                .startsWith("Usage: tcpkit serve forward")
                .contains(
                        "--to=HOST:PORT|unix:PATH",
                        "--connect-timeout",
                        "--to-retry-after",
                        "--max-connections",
                        "--tls-cert")
                .contains("--send-proxy=v1|v2", "Upstream TLS:", "--to-tls", "--to-ca=FILE", "--to-insecure")
                .contains("--to-sni=NAME", "--to-cert=FILE", "--to-key=FILE")
                .contains("tcpkit serve forward --port 8080 --to 127.0.0.1:80");
        assertThat(err.toString()).isEmpty();
        assertThat(execute("serve", "--help")).isZero();
        assertThat(out.toString()).contains("forward");
    }

    @Test
    void withoutToItIsAUsageError() {
        assertThat(execute("serve", "forward", "--port", "0")).isEqualTo(2);
        assertThat(err.toString().lines().findFirst()).hasValue("Missing required option: '--to=HOST:PORT|unix:PATH'");
        assertThat(out.toString()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "localhost:", ":80", "host:0", "host:65536", "host:http", "::1:80", "[]:80"})
    void aToThatIsNotHostPortIsAUsageErrorOnOneLine(String value) {
        assertThat(execute("serve", "forward", "--port", "0", "--to", value)).isEqualTo(2);
        List<String> lines = err.toString().lines().toList();
        assertThat(lines.get(0))
                .startsWith("Invalid value for option '--to'")
                .contains("'" + value + "' is not HOST:PORT");
        assertThat(lines.get(lines.size() - 1)).isEqualTo("Try 'tcpkit serve forward --help' for more information.");
    }

    @Test
    void aToMayNameAUnixSocketBesideTcpOnes() {
        UpstreamConverter converter = new UpstreamConverter();
        assertThat(converter.convert("unix:/run/app.sock"))
                .isEqualTo(new UpstreamConverter.Unix(Path.of("/run/app.sock")));
        assertThat(converter.convert("unix:rel/app.sock"))
                .isEqualTo(new UpstreamConverter.Unix(Path.of("rel/app.sock")));
        assertThat(converter.convert("[::1]:80")).isEqualTo(new UpstreamConverter.Tcp("::1", 80));
        assertThat(converter.convert("unix:80")).isEqualTo(new UpstreamConverter.Unix(Path.of("80")));
    }

    @Test
    void aUnixToWithoutAPathIsAUsageErrorOnOneLine() {
        assertThat(execute("serve", "forward", "--port", "0", "--to", "unix:")).isEqualTo(2);
        assertThat(err.toString().lines().findFirst())
                .hasValueSatisfying(line -> assertThat(line)
                        .startsWith("Invalid value for option '--to'")
                        .contains("'unix:' names no socket file"));
    }

    @Test
    void aBadConnectTimeoutIsAUsageError() {
        assertThat(execute("serve", "forward", "--to", "h:1", "--connect-timeout", "soon"))
                .isEqualTo(2);
        assertThat(err.toString()).startsWith("Invalid value for option '--connect-timeout'");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "--to-ca ca.pem | --to-ca needs --to-tls",
                "--to-insecure | --to-insecure needs --to-tls",
                "--to-sni example.org | --to-sni needs --to-tls",
                "--to-cert c.pem --to-key k.pem | --to-cert needs --to-tls",
                "--to-key k.pem | --to-key needs --to-tls",
                "--to-tls --to-ca ca.pem --to-insecure | --to-insecure and --to-ca exclude each other: give one",
                "--to-tls --to-cert c.pem | --to-cert and --to-key go together: give both",
                "--to-tls --to-key k.pem | --to-cert and --to-key go together: give both",
                "--to-tls --to-insecure --to-sni bad_name! | --to-sni must be a host name: bad_name!",
                "--send-proxy v3 | Invalid value for option '--send-proxy'",
            })
    void upstreamOptionsThatDoNotFitTogetherAreUsageErrorsOnOneLine(String args, String message) {
        List<String> argv = new ArrayList<>(List.of("serve", "forward", "--port", "0", "--to", "127.0.0.1:1"));
        argv.addAll(List.of(args.split(" ")));
        assertThat(execute(argv.toArray(String[]::new))).isEqualTo(2);
        assertThat(err.toString().lines().findFirst()).get().asString().startsWith(message);
        assertThat(err.toString()).doesNotContain("\tat ");
    }

    @Test
    void aMissingUpstreamCaIsOneLineAndExitCodeOneAsForTheServersOwnFiles(@TempDir Path dir) {
        Path missing = dir.resolve("missing.pem");
        assertThat(execute(
                        "serve", "forward", "--port", "0", "--to", "127.0.0.1:1", "--to-tls", "--to-ca", "" + missing))
                .isOne();
        assertThat(err.toString()).isEqualTo("cannot read TLS CA " + missing + ": no such file or directory\n");
    }

    @Test
    void tlsProviderIsAcceptedForUpstreamTlsAlone() {
        // Accepted, then the run fails on the CA file: past the usage checks, which is what this is about.
        assertThat(execute(
                        "serve",
                        "forward",
                        "--to",
                        "127.0.0.1:1",
                        "--to-tls",
                        "--tls-provider",
                        "jdk",
                        "--to-ca",
                        "missing.pem"))
                .isOne();
        assertThat(err.toString()).startsWith("cannot read TLS CA missing.pem");
    }

    @Test
    void hostPortParsesNamesAndBracketedIpv6() {
        HostPortConverter converter = new HostPortConverter();
        assertThat(converter.convert("example.org:443")).isEqualTo(new HostPortConverter.HostPort("example.org", 443));
        assertThat(converter.convert("[::1]:80")).isEqualTo(new HostPortConverter.HostPort("::1", 80));
        assertThat(converter.convert("10.0.0.1:65535")).isEqualTo(new HostPortConverter.HostPort("10.0.0.1", 65535));
    }
}
