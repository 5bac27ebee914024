package dev.tcpkit.app.cli;

import static dev.tcpkit.testing.TcpkitProcess.serveArgs;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tcpkit.app.bench.BenchConfig;
import dev.tcpkit.app.bench.BenchMode;
import dev.tcpkit.options.Transport;
import dev.tcpkit.testing.AdminHttp;
import dev.tcpkit.testing.LoopbackClient;
import io.netty.util.Version;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * The {@code tcpkit} command line driven through picocli's {@code execute}, in process: exit codes 0 (success), 1
 * (runtime failure, one line) and 2 (usage: the problem, the synopsis, where to find more).
 */
@Timeout(60)
final class CommandLineTest {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+) \\(");

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    // --- Help, version, and no subcommand ---

    @Test
    void helpShowsTheSubcommandsAndExitCodesAndExitsZero() {
        assertThat(execute("--help")).isZero();
        assertThat(out.toString())
                .startsWith("Usage: tcpkit")
                .contains("serve", "connect", "Exit codes:", "2   usage error");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void subcommandHelpExitsZero() {
        assertThat(execute("serve", "--help")).isZero();
        assertThat(out.toString())
                .startsWith("Usage: tcpkit serve")
                .contains("Services:", "echo", "reply", "log", "chat", "discard");
        assertThat(execute("serve", "echo", "--help")).isZero();
        assertThat(out.toString()).contains("Usage: tcpkit serve echo", "--drain-timeout");
        assertThat(execute("connect", "--help")).isZero();
        assertThat(out.toString()).contains("Usage: tcpkit connect", "--recv-first");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void helpCommandShowsTheTopOrTheNamedCommandsHelpAndExitsZero() {
        assertThat(execute("help")).isZero();
        assertThat(out.toString()).startsWith("Usage: tcpkit").contains("serve", "connect", "bench", "report", "help");
        out.getBuffer().setLength(0);
        assertThat(execute("help", "connect")).isZero();
        assertThat(out.toString()).startsWith("Usage: tcpkit connect").contains("--recv-first");
        assertThat(err.toString()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "serve",
                "connect",
                "bench",
                "serve echo",
                "serve reply",
                "serve forward",
                "serve log",
                "serve chat",
                "serve discard"
            })
    void everyCommandsHelpEndsWithItsExitCodesAndExamples(String command) {
        assertThat(execute((command + " --help").split(" "))).isZero();
        String help = out.toString();
        assertThat(help).contains("Exit codes:", "2   usage error", "Examples:", "tcpkit " + command + " ");
        assertThat(help.indexOf("Examples:")).isGreaterThan(help.indexOf("Exit codes:"));
    }

    /** The order {@code IoSupport.resolve(AUTO)} tries them in. */
    @ParameterizedTest
    @ValueSource(strings = {"bench", "serve echo", "serve log"})
    void transportHelpNamesTheOrderAutoReallyTries(String command) {
        assertThat(execute((command + " --help").split(" "))).isZero();
        assertThat(out.toString().replaceAll("\\s+", " ")).contains("(default: auto: epoll, else io_uring, else nio)");
    }

    @Test
    void serveEchoHelpShowsOnlyWhatEchoAcceptsInSectionsByConcern() {
        assertThat(execute("serve", "echo", "--help")).isZero();
        assertThat(out.toString())
                .contains("Network:", "Limits:", "TLS:", "PROXY protocol:", "Admin endpoint:")
                .contains("--port", "--max-connections", "--tls-cert", "--proxy-protocol", "--admin-port")
                .doesNotContain(
                        "Messages:",
                        "--banner",
                        "--reply",
                        "--keep-open",
                        "--output",
                        "--max-queue",
                        "--max-line-rate",
                        "--framing",
                        "--encoding");
    }

    @Test
    void eachServiceShowsItsOwnOptionsAndNotTheOthers() {
        assertThat(execute("serve", "chat", "--help")).isZero();
        assertThat(out.toString()).contains("Messages:", "--max-queue", "--max-line-rate", "--output");
        assertThat(out.toString()).doesNotContain("--banner", "--keep-open");
        out.getBuffer().setLength(0);
        assertThat(execute("serve", "reply", "--help")).isZero();
        assertThat(out.toString()).contains("--banner", "--reply", "--keep-open", "--encoding");
        assertThat(out.toString()).doesNotContain("--max-queue", "--max-line-rate");
    }

    @Test
    void helpCommandShowsAServicesHelp() {
        assertThat(execute("help", "serve")).isZero();
        assertThat(out.toString()).startsWith("Usage: tcpkit serve").contains("Services:");
    }

    @Test
    void versionNamesTcpkitItsCommitNettyAndJavaAndExitsZero() {
        assertThat(execute("--version")).isZero();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(3);
        // Built from a git checkout (this one, if ../.git is there): the commit; from a source archive: unknown.
        String commit = Files.exists(Path.of("..", ".git")) ? "[0-9a-f]{12}" : "unknown";
        assertThat(lines.get(0)).startsWith("tcpkit ").matches(".* \\(commit " + commit + "\\)");
        // Recorded by the build: the same Netty as the one on the class path says it is.
        assertThat(lines.get(1))
                .isEqualTo("Netty "
                        + requireNonNull(Version.identify().get("netty-common")).artifactVersion());
        assertThat(lines.get(2)).startsWith("Java ");
    }

    @Test
    void versionVerboseSaysWhichTransportsAndTlsProvidersWorkHere() {
        assertThat(execute("--version", "--verbose")).isZero();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines.get(3)).startsWith("Transports");
        assertThat(lines)
                .anyMatch(l -> l.matches("  epoll +(available|unavailable: .+)"))
                .anyMatch(l -> l.matches("  io_uring +(available|unavailable: .+)"))
                .contains("  nio       available")
                .anyMatch(l -> l.matches("  openssl +(available: .+ \\(netty-tcnative\\)|unavailable: .+)"))
                .anyMatch(l -> l.matches("  jdk +available: .+"));
        assertThat(err.toString()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"serve, --version", "connect, -V", "serve, -V"})
    void subcommandsShowTheSameVersion(String subcommand, String option) {
        assertThat(execute(subcommand, option)).isZero();
        assertThat(out.toString()).startsWith("tcpkit ").contains(System.lineSeparator() + "Java ");
    }

    @Test
    void withoutASubcommandPrintsUsageToStderrAndExitsTwo() {
        assertThat(execute()).isEqualTo(2);
        assertThat(err.toString()).startsWith("Usage: tcpkit").contains("serve", "connect");
        assertThat(out.toString()).isEmpty();
    }

    // --- Usage errors: exit 2, the problem, a synopsis, where to find more ---

    @Test
    void anUnknownOptionPrintsTheProblemTheSynopsisAndWhereToFindMore() {
        assertThat(execute("serve", "echo", "--bogus")).isEqualTo(2);
        List<String> lines = err.toString().lines().toList();
        assertThat(lines.get(0)).isEqualTo("Unknown option: '--bogus'");
        assertThat(err.toString()).contains("Usage: tcpkit serve");
        assertThat(lines.get(lines.size() - 1)).isEqualTo("Try 'tcpkit serve echo --help' for more information.");
        assertThat(out.toString()).isEmpty();
        assertNoStackTrace();
    }

    /** {@code -e} is ncat's exec: someone typing {@code -e /bin/sh} gets an unknown option, not a charset error. */
    @ParameterizedTest
    @ValueSource(strings = {"serve log -e /bin/sh", "connect 127.0.0.1 7 -e /bin/sh"})
    void encodingHasNoShortDashE(String commandLine) {
        assertThat(execute(commandLine.split(" "))).isEqualTo(2);
        assertThat(err.toString()).startsWith("Unknown options: '-e', '/bin/sh'");
        assertNoStackTrace();
    }

    /** Refused before the run: nothing listens on the port, so a run would have failed with 1, not 2. */
    @ParameterizedTest
    @ValueSource(strings = {"bench", "report"})
    void plotWithAnExtensionOfNoImageFormatIsAUsageErrorBeforeAnyWork(String command, @TempDir Path dir)
            throws IOException {
        Path svg = dir.resolve("chart.svg");
        String[] args = command.equals("bench")
                ? new String[] {"bench", "127.0.0.1", Integer.toString(freePort()), "--plot", svg.toString()}
                : new String[] {"report", dir.resolve("none.hlog").toString(), "--plot", svg.toString()};
        assertUsageError("--plot writes .png, .jpg or .jpeg (by the file's extension), not " + svg, args);
        assertThat(svg).doesNotExist();
    }

    @Test
    void plotIntoAMissingDirectoryIsAUsageErrorBeforeTheRun(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("no/such/dir/chart.png");
        assertUsageError(
                "--plot " + png + ": no such directory: " + png.getParent(),
                "bench",
                "127.0.0.1",
                Integer.toString(freePort()),
                "--plot",
                png.toString());
    }

    @Test
    void anUnknownTopLevelOptionPointsToTheTopLevelHelp() {
        assertThat(execute("--bogus")).isEqualTo(2);
        assertThat(err.toString())
                .startsWith("Unknown option: '--bogus'")
                .endsWith("Try 'tcpkit --help' for more information." + System.lineSeparator());
    }

    @Test
    void anUnknownSubcommandIsAUsageError() {
        assertThat(execute("frobnicate")).isEqualTo(2);
        assertThat(err.toString()).contains("'frobnicate'", "Try 'tcpkit --help'");
    }

    @ParameterizedTest(name = "serve chat {0} {1}")
    @CsvSource({
        "--port, 70000, '--port must be in 0..65535: 70000'",
        "--port, -1, '--port must be in 0..65535: -1'",
        "--port, abc, 'abc'",
        "--max-line, 0, '0'",
        "--max-line, lots, 'lots'",
        "--max-queue, 0, '0'",
        "--max-line-rate, fast, 'fast'",
        "--encoding, NOPE, 'NOPE'",
        "--encoding, x-JISAutoDetect, 'x-JISAutoDetect guesses the encoding'",
        "--drain-timeout, xyz, 'xyz'",
        "--transport, foo, 'foo'",
        "--backlog, 0, '--backlog must be >= 1: 0'",
        "--threads, -1, '--threads must be >= 0: -1'",
        "--admin-port, 70000, '--admin-port must be in 0..65535: 70000'",
        "--admin-port, x, 'x'",
        "--log-format, yaml, 'yaml'",
        "--max-connections, -1, '--max-connections must be >= 0: -1'",
        "--max-connections-per-ip, -3, '--max-connections-per-ip must be >= 0: -3'",
        "--idle-timeout, soon, 'soon'",
        "--allow, example.com, 'example.com'",
        "--allow, example.com, is not an IP address or CIDR block",
        "--deny, 10.0.0.0/33, 10.0.0.0/33",
        "--deny, 10.0.0.0/33, has a prefix out of range (0 to 32)",
        "--proxy-from, ::1/200, has a prefix out of range (0 to 128)",
    })
    void serveRejectsABadValueQuotingIt(String option, String value, String quoted) {
        assertThat(execute("serve", "chat", "--host", "127.0.0.1", option, value))
                .isEqualTo(2);
        List<String> lines = err.toString().lines().toList();
        assertThat(lines.get(0)).contains(quoted);
        assertThat(lines.get(lines.size() - 1)).isEqualTo("Try 'tcpkit serve chat --help' for more information.");
        assertThat(out.toString()).isEmpty();
        assertNoStackTrace();
    }

    @Test
    void serveRejectsALineRateBelowOne() {
        assertUsageError("--max-line-rate must be >= 1: 0", serveArgs("chat", "--max-line-rate", "0"));
    }

    @Test
    void serveRejectsProxyFromWithoutProxyProtocol() {
        assertUsageError(
                "--proxy-from needs --proxy-protocol",
                "serve",
                "echo",
                "--host",
                "127.0.0.1",
                "--proxy-from",
                "10.0.0.5");
    }

    @Test
    void serveRejectsAnUnknownServiceListingTheKnownOnes() {
        assertThat(execute("serve", "chatroom")).isEqualTo(2);
        assertThat(err.toString()).contains("'chatroom'", "echo, reply, log, chat, discard");
    }

    @Test
    void serveWithoutAServiceIsAUsageError() {
        assertThat(execute("serve")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required parameter: 'SERVICE'");
    }

    @ParameterizedTest(name = "serve {0} {1}")
    @CsvSource({
        "echo, --banner, hi",
        "echo, --keep-open, ",
        "echo, --reply, hi",
        "log, --banner, hi",
        "log, --keep-open, ",
        "discard, --output, messages.jsonl",
        "echo, --output, messages.jsonl",
        "chat, --reply, hi",
        "chat, --banner, hi",
        "log, --max-queue, 1MiB",
        "reply, --max-line-rate, 10",
    })
    void serveRejectsAnOptionThatDoesNotApplyToTheService(String service, String option, String value) {
        String[] args = value == null ? serveArgs(service, option) : serveArgs(service, option, value);
        assertUsageError(option + " does not apply to the " + service + " service", args);
    }

    @ParameterizedTest(name = "serve {0} --udp {1}")
    @CsvSource({
        "echo, --tls-self-signed, ",
        "echo, --tls-cert, c.pem",
        "log, --tls-provider, jdk",
        "reply, --proxy-protocol, ",
        "echo, --idle-timeout, 5s",
        "reply, --banner, hi",
        "reply, --keep-open, ",
        "discard, --max-connections, 10",
        "log, --max-connections-per-ip, 2",
        "echo, --backlog, 10",
        "log, --framing, line",
    })
    void anOptionThatNeedsAConnectionIsAUsageErrorWithUdp(String service, String option, String value) {
        String[] args =
                value == null ? serveArgs(service, "--udp", option) : serveArgs(service, "--udp", option, value);
        String named = option.equals("--framing") ? "--framing line" : option;
        assertUsageError(named + " needs a connection: it does not go with --udp", args);
    }

    @ParameterizedTest
    @ValueSource(strings = {"chat", "forward", "exec"})
    void udpDoesNotApplyToTheServicesThatNeedAConnection(String service) {
        String[] args = switch (service) {
            case "forward" -> serveArgs(service, "--udp", "--to", "127.0.0.1:7");
            case "exec" -> serveArgs(service, "--udp", "--", "cat");
            default -> serveArgs(service, "--udp");
        };
        assertUsageError("--udp does not apply to the " + service + " service", args);
    }

    @Test
    void udpWithRawFramingIsFine() throws Exception {
        CompletableFuture<Integer> exit =
                CompletableFuture.supplyAsync(() -> execute(serveArgs("log", "--udp", "--framing", "raw", "--once")));
        int port = awaitListeningPort();
        assertThat(err.toString()).contains("(", ", udp)");
        try (java.net.DatagramSocket client = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            byte[] hello = "hello".getBytes(UTF_8);
            client.send(new java.net.DatagramPacket(hello, hello.length, InetAddress.getLoopbackAddress(), port));
            assertThat(exit.get(20, TimeUnit.SECONDS)).isZero();
        }
        assertThat(out.toString()).endsWith(" >>> hello" + System.lineSeparator());
    }

    @ParameterizedTest
    @CsvSource({"--admin-host, 127.0.0.1", "--admin-token, secret", "--admin-allow-host, admin.example"})
    void anAdminOptionWithoutAnAdminPortIsAUsageError(String option, String value) {
        assertUsageError(option + " needs --admin-port", serveArgs("echo", option, value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"admin.example:9090", "*.example", "http://admin.example", ""})
    void anAdminAllowHostThatIsNotAHostNameIsAUsageError(String name) {
        assertUsageError(
                "--admin-allow-host must be a host name, without a port: " + name,
                serveArgs("echo", "--admin-port", "0", "--admin-allow-host", name));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "serve echo --tls-cert c.pem | --tls-cert and --tls-key go together: give both",
                "serve echo --tls-key k.pem | --tls-cert and --tls-key go together: give both",
                "serve echo --tls-self-signed --tls-cert c.pem --tls-key k.pem"
                        + " | --tls-self-signed and --tls-cert exclude each other: give one",
                "serve echo --tls-client-ca ca.pem"
                        + " | --tls-client-ca needs TLS: add --tls-cert and --tls-key, or --tls-self-signed",
                "serve echo --tls-provider jdk"
                        + " | --tls-provider needs TLS: add --tls-cert and --tls-key, or --tls-self-signed",
                "serve echo --tls-self-signed --tls-provider boring | boring",
                "connect 127.0.0.1 7 --ca ca.pem | --ca needs --tls",
                "connect 127.0.0.1 7 --insecure | --insecure needs --tls",
                "connect 127.0.0.1 7 --tls --insecure --ca ca.pem | --insecure and --ca exclude each other: give one",
                "connect 127.0.0.1 7 --tls --tls-cert c.pem | --tls-cert and --tls-key go together: give both",
            })
    void tlsOptionsThatDoNotFitTogetherAreUsageErrors(String args, String message) {
        List<String> argv = List.of(args.split(" "));
        assertThat(execute(argv.toArray(String[]::new))).isEqualTo(2);
        assertThat(err.toString().lines().findFirst()).get().asString().contains(message);
        assertNoStackTrace();
    }

    @Test
    void serveWithAMissingCertificateIsOneLineAndExitCodeOne(@TempDir Path dir) {
        Path missing = dir.resolve("missing.pem");
        assertThat(execute(serveArgs("echo", "--tls-cert", missing.toString(), "--tls-key", missing.toString())))
                .isOne();
        assertThat(err.toString())
                .isEqualTo("cannot read TLS certificate " + missing + ": no such file or directory\n");
    }

    // --- serve: runtime failures are one line, exit 1 ---

    @Test
    void serveOnAnAdminPortInUseFailsWithOneLineAndExitsOne() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThat(execute(serveArgs("echo", "--admin-port", "" + port))).isEqualTo(1);
            assertThat(err.toString().lines())
                    .containsExactly(
                            "cannot listen on 127.0.0.1:" + port + " for the admin endpoint: address already in use");
        }
    }

    @Test
    void serveOnAPortInUseFailsWithOneLineAndExitsOne() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThat(execute("serve", "echo", "--host", "127.0.0.1", "--port", String.valueOf(port)))
                    .isEqualTo(1);
            assertThat(err.toString().lines())
                    .containsExactly("cannot listen on 127.0.0.1:" + port + ": address already in use");
        }
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void serveWithAnOutputFileThatCannotBeOpenedFailsWithOneLine(@TempDir Path dir) {
        Path output = dir.resolve("missing").resolve("messages.jsonl");
        assertThat(execute(serveArgs("log", "--output", output.toString()))).isEqualTo(1);
        assertThat(err.toString().lines()).singleElement().asString().startsWith("cannot open output file " + output);
    }

    // --- serve: success ---

    @Test
    void serveEchoOnceServesOneClientThenExitsZero() throws Exception {
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> execute(serveArgs("echo", "--once")));
        try (LoopbackClient client = LoopbackClient.connect(awaitListeningPort())) {
            client.send("ping", UTF_8);
            client.shutdownOutput();
            assertThat(new String(client.readToEnd(), UTF_8)).isEqualTo("ping");
        }
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(err.toString()).startsWith("tcpkit echo listening on 127.0.0.1:");
    }

    @Test
    void serveReplyOncePrintsTheMessageAsARecordOnStdout() throws Exception {
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
                () -> execute(serveArgs("reply", "--once", "--banner", "hi", "--reply", "ok")));
        try (LoopbackClient client = LoopbackClient.connect(awaitListeningPort())) {
            assertThat(new String(client.readExactly(2), UTF_8)).isEqualTo("hi");
            client.send("你好", UTF_8);
            assertThat(new String(client.readToEnd(), UTF_8)).isEqualTo("ok");
        }
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(out.toString()).matches("\\S+Z 127\\.0\\.0\\.1:\\d+ >>> 你好\\R");
    }

    @Test
    void serveWithAnAdminPortPrintsTheAdminPagesAddressAfterTheStartUpLine() throws Exception {
        CompletableFuture<Integer> exit =
                CompletableFuture.supplyAsync(() -> execute(serveArgs("echo", "--once", "--admin-port", "0")));
        int port = awaitListeningPort();
        Matcher admin = Pattern.compile("\\Rtcpkit echo admin on (http://127\\.0\\.0\\.1:\\d+/)\\R")
                .matcher("");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> admin.reset(err.toString()).find());
        AdminHttp http = new AdminHttp(admin.group(1));
        assertThat(http.json("/api/stats").get("address").asText()).isEqualTo("127.0.0.1:" + port);
        try (LoopbackClient client = LoopbackClient.connect(port)) {
            client.send("ping", UTF_8);
            client.shutdownOutput();
            assertThat(new String(client.readToEnd(), UTF_8)).isEqualTo("ping");
        }
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    }

    // --- connect ---

    @Test
    void connectRefusedFailsWithOneLineAndExitsOne() throws Exception {
        int port = freePort();
        assertThat(execute("connect", "127.0.0.1", String.valueOf(port))).isEqualTo(1);
        assertThat(err.toString().lines())
                .containsExactly("cannot connect to 127.0.0.1:" + port + ": connection refused");
    }

    @Test
    void connectRefusedOnAnIpv6LiteralShowsItBracketedOnce() throws Exception {
        byte[] ipv6Loopback = new byte[16];
        ipv6Loopback[15] = 1;
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByAddress(ipv6Loopback))) {
            port = s.getLocalPort();
        }
        assertThat(execute("connect", "[::1]", String.valueOf(port))).isEqualTo(1);
        assertThat(err.toString().lines()).containsExactly("cannot connect to [::1]:" + port + ": connection refused");
    }

    @Test
    void connectToAnUnknownHostFailsWithOneLineAndExitsOne() {
        assertThat(execute("connect", "nosuch.invalid", "80")).isEqualTo(1);
        assertThat(err.toString().lines()).containsExactly("cannot connect to nosuch.invalid:80: unknown host");
    }

    @Test
    void connectToAServerThatResetsFailsWithOneLineAndExitsOne() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout(10_000);
            int port = listener.getLocalPort();
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
                    () -> execute("connect", "127.0.0.1", String.valueOf(port), "--send", "hello"));
            try (Socket server = listener.accept()) {
                server.setSoTimeout(10_000);
                assertThat(new String(server.getInputStream().readNBytes(5), UTF_8))
                        .isEqualTo("hello");
                server.setSoLinger(true, 0); // the close resets the connection
            }
            assertThat(exit.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(err.toString().lines())
                    .singleElement()
                    .asString()
                    .startsWith("connection to 127.0.0.1:" + port + " lost: ");
        }
    }

    @Test
    void connectVerboseAddsTheStackTraceToTheOneLine() throws Exception {
        int port = freePort();
        assertThat(execute("connect", "-v", "127.0.0.1", String.valueOf(port))).isEqualTo(1);
        List<String> lines = err.toString().lines().toList();
        assertThat(lines.get(0)).isEqualTo("cannot connect to 127.0.0.1:" + port + ": connection refused");
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("\tat "));
    }

    @ParameterizedTest(name = "connect 127.0.0.1 {0}")
    @CsvSource({"0, 'PORT must be in 1..65535: 0'", "70000, 'PORT must be in 1..65535: 70000'", "abc, 'abc'"})
    void connectRejectsABadPortQuotingIt(String port, String quoted) {
        assertThat(execute("connect", "127.0.0.1", port)).isEqualTo(2);
        List<String> lines = err.toString().lines().toList();
        assertThat(lines.get(0)).contains(quoted);
        assertThat(lines.get(lines.size() - 1)).isEqualTo("Try 'tcpkit connect --help' for more information.");
        assertNoStackTrace();
    }

    @Test
    void connectRejectsAZeroTimeoutAndAnUnknownCharset() {
        assertThat(execute("connect", "127.0.0.1", "9", "--timeout", "0")).isEqualTo(2);
        assertThat(err.toString()).startsWith("--timeout must be > 0");
        assertThat(execute("connect", "127.0.0.1", "9", "--encoding", "NOPE")).isEqualTo(2);
        assertThat(err.toString()).contains("unknown charset 'NOPE'");
    }

    @Test
    void connectWithoutAPortIsAUsageError() {
        assertThat(execute("connect", "127.0.0.1")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required parameter: 'PORT'", "Usage: tcpkit connect");
    }

    @ParameterizedTest(name = "bench --start-at {0}")
    @CsvSource({
        "2001-01-01T00:00:00Z, '2001-01-01T00:00:00Z' is in the past",
        "tomorrow, 'tomorrow' is not a start time",
        "+soon, 'soon' is not a duration",
    })
    void benchRefusesAStartTimeInThePastOrUnreadable(String value, String problem) {
        assertThat(execute("bench", "127.0.0.1", "7", "--start-at", value)).isEqualTo(2);
        List<String> lines = err.toString().lines().toList();
        assertThat(lines.get(0)).contains("--start-at", problem);
        assertNoStackTrace();
    }

    @Test
    void benchWithAnHdrLogThatCannotBeWrittenFailsWithOneLineBeforeConnecting(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("missing").resolve("a.hlog");
        // Nothing listens on the port: the log is refused before any connect is tried.
        assertThat(execute("bench", "127.0.0.1", Integer.toString(freePort()), "--hdr-log", log.toString()))
                .isEqualTo(1);
        assertThat(err.toString().lines()).containsExactly("cannot write " + log + ": no such file or directory");
    }

    @Test
    void benchRefusesADirectoryAsItsHdrLog(@TempDir Path dir) {
        assertUsageError(
                "--hdr-log needs a file name, not a directory: " + dir,
                "bench",
                "127.0.0.1",
                "7",
                "--hdr-log",
                dir.toString());
    }

    // --- report: merging bench --hdr-log files ---

    @Test
    void reportMergesLogsIntoOneJsonObject(@TempDir Path dir) throws IOException {
        Path a = hdrLog(dir.resolve("a.hlog"), 1_000, 2_000, 3_000);
        Path b = hdrLog(dir.resolve("b.hlog"), 4_000_000);

        assertThat(execute("report", a.toString(), b.toString(), "--json")).isZero();

        assertThat(out.toString().lines())
                .singleElement()
                .satisfies(json -> assertThat(json)
                        .startsWith("{\"logs\":[\"" + a + "\",\"" + b + "\"],\"intervals\":2,")
                        .contains("\"msgs\":4,\"latency_us\":{\"samples\":4,")
                        .contains("\"max\":4001.8,"));
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void reportNeedsAtLeastOneFile() {
        assertThat(execute("report")).isEqualTo(2);
        assertThat(err.toString().lines().findFirst()).hasValue("Missing required parameter: 'FILE'");
        assertThat(err.toString()).contains("Usage: tcpkit report");
    }

    @Test
    void reportOfAMissingOrForeignFileIsOneLineAndExitCodeOne(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("missing.hlog");
        assertThat(execute("report", missing.toString())).isEqualTo(1);
        assertThat(err.toString().lines()).containsExactly("cannot read " + missing + ": no such file or directory");

        err.getBuffer().setLength(0);
        Path text = Files.writeString(dir.resolve("notes.txt"), "not a log\n");
        assertThat(execute("report", text.toString())).isEqualTo(1);
        assertThat(err.toString().lines()).singleElement().asString().startsWith(text + " is not an HdrHistogram");
        assertNoStackTrace();
    }

    // --- bench: the configuration's rules, in its words ---

    @ParameterizedTest(name = "bench {0} {1}")
    @CsvSource({"--depth, -1, depth", "--depth, 2000000, depth", "--rate, -5, rate", "--connections, 0, connections"})
    void benchRefusesWhatBenchConfigRefusesWithItsMessage(String option, String value, String component) {
        String rule = benchConfigRefusal(option, value);
        assertThat(rule).startsWith(component + " must ");
        assertUsageError(option + rule.substring(component.length()), "bench", "127.0.0.1", "7", option, value);
        assertThat(err.toString()).contains("Try 'tcpkit bench --help'");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "connect 127.0.0.1 7 --udp --tls | --tls does not apply to --udp (TLS needs a connection)",
                "bench 127.0.0.1 7 --udp --mode stream | --udp does not apply to stream mode (it needs connections):"
                        + " use pingpong",
                "bench 127.0.0.1 7 --udp --mode connect | --udp does not apply to connect mode (it needs connections):"
                        + " use pingpong",
                "bench 127.0.0.1 7 --udp --size 65508 | --size must be <= 65507 over UDP (the largest datagram): 65508",
            })
    void udpWithWhatNeedsAConnectionIsAUsageError(String args, String problem) {
        assertUsageError(problem, args.split(" "));
    }

    @Test
    void benchNamesThePortAsItsPositionalParameter() {
        assertUsageError("PORT must be in 1..65535: 0", "bench", "127.0.0.1", "0");
    }

    // --- Start-up: only what the arguments name is built ---

    @Test
    void aServiceRunBuildsOnlyThatServicesModel() {
        CommandLine cmd = TcpkitCommand.newCommandLine(
                new PrintWriter(out, true), new PrintWriter(err, true), "serve", "Echo", "--port", "0");
        assertThat(cmd.getSubcommands()).containsOnlyKeys("serve");
        assertThat(requireNonNull(cmd.getSubcommands().get("serve")).getSubcommands())
                .containsOnlyKeys("echo");
    }

    @Test
    void versionBuildsNoSubcommandAndHelpBuildsThemAll() {
        PrintWriter o = new PrintWriter(out, true);
        PrintWriter e = new PrintWriter(err, true);
        assertThat(TcpkitCommand.newCommandLine(o, e, "--version").getSubcommands())
                .isEmpty();
        CommandLine help = TcpkitCommand.newCommandLine(o, e, "help", "serve");
        assertThat(help.getSubcommands()).containsKeys("serve", "connect", "bench", "report");
        assertThat(requireNonNull(help.getSubcommands().get("serve")).getSubcommands())
                .containsOnlyKeys("echo", "reply", "log", "chat", "discard", "forward", "exec");
    }

    // --- The failure handler on its own ---

    @Test
    void anUnexpectedExceptionIsReportedAsABugWithItsStackTrace() {
        CommandLine cmd = TcpkitCommand.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true));
        CommandLine.ParseResult parsed = cmd.parseArgs("serve", "echo");
        int exit = new FailureHandler().handleExecutionException(new IllegalStateException("boom"), cmd, parsed);
        assertThat(exit).isEqualTo(1);
        List<String> lines = err.toString().lines().toList();
        assertThat(lines.get(0)).isEqualTo("tcpkit: unexpected error: java.lang.IllegalStateException: boom");
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("\tat "));
    }

    @Test
    void anExpectedFailureIsOneLineWithoutVerbose() {
        CommandLine cmd = TcpkitCommand.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true));
        CommandLine.ParseResult parsed = cmd.parseArgs("connect", "127.0.0.1", "9");
        int exit = new FailureHandler().handleExecutionException(new IOException("it broke"), cmd, parsed);
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString().lines()).containsExactly("it broke");
    }

    // --- Fixtures ---

    /** What {@link BenchConfig} says of a pingpong run with {@code option} (depth, rate or connections) at value. */
    private static String benchConfigRefusal(String option, String value) {
        int depth = option.equals("--depth") ? Integer.parseInt(value) : 0;
        double rate = option.equals("--rate") ? Double.parseDouble(value) : 0;
        int connections = option.equals("--connections") ? Integer.parseInt(value) : 10;
        Duration second = Duration.ofSeconds(1);
        try {
            new BenchConfig(
                    "127.0.0.1",
                    7,
                    BenchMode.PINGPONG,
                    connections,
                    64,
                    second,
                    0,
                    second,
                    depth,
                    rate,
                    0,
                    Transport.AUTO,
                    second,
                    false,
                    false);
        } catch (IllegalArgumentException e) {
            return String.valueOf(e.getMessage());
        }
        throw new AssertionError("BenchConfig accepts " + option + " " + value);
    }

    /** An interval log at {@code file} of one interval holding {@code nanos}, as HdrHistogram's writer writes it. */
    private static Path hdrLog(Path file, long... nanos) throws IOException {
        Histogram h = new Histogram(3);
        for (long n : nanos) {
            h.recordValue(n);
        }
        try (PrintStream stream = new PrintStream(Files.newOutputStream(file), true, UTF_8)) {
            HistogramLogWriter writer = new HistogramLogWriter(stream);
            writer.outputLogFormatVersion();
            writer.outputStartTime(1_000_000L);
            writer.outputBaseTime(1_000_000L);
            writer.outputLegend();
            writer.outputIntervalHistogram(0, 1, h, 1e6);
        }
        return file;
    }

    private int execute(String... args) {
        return TcpkitCommand.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true), args)
                .execute(args);
    }

    /** The port from {@code serve}'s start-up line, once it is printed. */
    private int awaitListeningPort() {
        Matcher m = LISTENING.matcher("");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> m.reset(err.toString()).find());
        return Integer.parseInt(m.group(1));
    }

    /** A usage error: exit 2, {@code problem} the first line on stderr, and no stack trace. */
    private void assertUsageError(String problem, String... args) {
        assertThat(execute(args)).isEqualTo(2);
        assertThat(err.toString().lines().findFirst()).hasValue(problem);
        assertNoStackTrace();
    }

    private void assertNoStackTrace() {
        assertThat(err.toString()).doesNotContain("\tat ", "Exception");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
