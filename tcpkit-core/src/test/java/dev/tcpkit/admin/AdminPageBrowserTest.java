package dev.tcpkit.admin;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.codec.Framing;
import dev.tcpkit.testing.LoopbackClient;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The admin page in a real headless browser (Debian's chromium, driven through its chromedriver by Selenium): it lists
 * the clients the test connected, drops one that leaves, and its close button disconnects a client. Leaves a
 * screenshot in {@code target/admin-page.png}.
 *
 * <p>Outside CI a machine without the browser skips this test, saying how to install it; under {@code CI=true} a
 * missing browser fails it, since {@code .ci/run} installs it.
 */
@Timeout(180)
final class AdminPageBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String TOKEN = "page-token";

    @BeforeAll
    static void requireTheBrowser() {
        if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
            return;
        }
        String missing = "no " + CHROMIUM + " and " + CHROMEDRIVER
                + ": install them with `apt-get install chromium chromium-driver` (.ci/run does)";
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail("CI=true and the browser test cannot run: " + missing);
        }
        Assumptions.abort("admin page browser test skipped: " + missing);
    }

    @Test
    void showsTheConnectedClientsLiveAndItsCloseButtonDisconnectsOne(@TempDir Path profile) throws Exception {
        try (TcpServer server = TcpServer.builder()
                        .bind("127.0.0.1", 0)
                        .service(Services.log()
                                .framing(Framing.LINE)
                                .stdout(new StringWriter())
                                .build())
                        .admin(null, 0)
                        .adminToken(TOKEN)
                        .start();
                LoopbackClient stays = LoopbackClient.connect(server.port());
                LoopbackClient leaves = LoopbackClient.connect(server.port());
                LoopbackClient closed = LoopbackClient.connect(server.port())) {
            stays.send("hello\nfrom the one that stays\n", UTF_8);
            leaves.send("bye soon\n", UTF_8);
            closed.send("close me\n", UTF_8);
            await().atMost(WAIT).until(() -> server.connections().messages() == 4);
            WebDriver browser = startBrowser(profile);
            try {
                browser.get(Objects.requireNonNull(server.adminUrl()) + "?token=" + TOKEN);

                await().atMost(WAIT)
                        .until(() -> addresses(browser)
                                .containsAll(List.of(address(stays), address(leaves), address(closed))));
                assertThat(browser.findElement(By.id("open-count")).getText()).isEqualTo("3");
                assertThat(browser.findElement(By.id("live")).getText()).isEqualTo("live");
                // The page words the API's machine-readable limits for people.
                assertThat(browser.findElement(By.id("limits")).getText())
                        .contains("drain timeout 10 s", "max connections none", "event-loop threads");
                assertThat(browser.findElement(By.cssSelector("#clients th.upstream"))
                                .isDisplayed())
                        .as("the upstream column, for relays only")
                        .isFalse();
                assertThat(row(browser, stays)
                                .findElement(By.cssSelector("td.messages"))
                                .getText())
                        .isEqualTo("2");
                // Once the charts have a few seconds to draw, the picture for the build's artifacts.
                await().atMost(WAIT)
                        .until(() -> !browser.findElements(By.cssSelector("#byte-chart polyline"))
                                .isEmpty());
                screenshot(browser, Path.of("target", "admin-page.png"));

                String leaver = address(leaves);
                leaves.socket().close(); // the client leaves on its own
                await().atMost(WAIT).until(() -> !addresses(browser).contains(leaver));
                assertThat(addresses(browser)).contains(address(stays), address(closed));

                // The page redraws its table every second: a row found a moment ago may be gone, so retry the click.
                await().atMost(WAIT)
                        .ignoreException(StaleElementReferenceException.class)
                        .until(() -> {
                            row(browser, closed)
                                    .findElement(By.cssSelector("button.close-client"))
                                    .click();
                            return true;
                        });
                assertThat(closed.readToEnd()).isEmpty(); // the server closed it: end of stream
                await().atMost(WAIT).until(() -> addresses(browser).equals(List.of(address(stays))));
                assertThat(browser.findElement(By.id("open-count")).getText()).isEqualTo("1");
                assertThat(server.connections().openCount()).isEqualTo(1);
                stays.send("still served\n", UTF_8);
                await().atMost(WAIT).until(() -> server.connections().messages() == 5);
                screenshot(browser, Path.of("target", "admin-page-after-close.png"));
            } finally {
                browser.quit();
            }
        }
    }

    @Test
    void aRelaysClientsShowWhereEachWasJoined(@TempDir Path profile) throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                TcpServer server = TcpServer.builder()
                        .bind("127.0.0.1", 0)
                        .service(Services.forward()
                                .to("127.0.0.1", upstream.getLocalPort())
                                .build())
                        .admin(null, 0)
                        .start();
                LoopbackClient client = LoopbackClient.connect(server.port());
                Socket joined = upstream.accept()) {
            joined.getOutputStream().write('x');
            assertThat(client.readExactly(1)).containsExactly('x');
            WebDriver browser = startBrowser(profile);
            try {
                browser.get(Objects.requireNonNull(server.adminUrl()));
                await().atMost(WAIT).until(() -> addresses(browser).contains(address(client)));
                await().atMost(WAIT)
                        .ignoreException(StaleElementReferenceException.class)
                        .until(() -> row(browser, client)
                                .findElement(By.cssSelector("td.upstream"))
                                .getText()
                                .equals("127.0.0.1:" + upstream.getLocalPort()));
                assertThat(browser.findElement(By.cssSelector("#clients th.upstream"))
                                .isDisplayed())
                        .isTrue();
            } finally {
                browser.quit();
            }
        }
    }

    /**
     * DNS rebinding as issue 11 found it: a page on {@code evil.example} whose name now resolves to 127.0.0.1 (here by
     * the browser's resolver rules) calls the endpoint from its own origin. Its requests carry {@code Host:
     * evil.example}, so they are misdirected (421): it reads nothing and closes nothing.
     */
    @Test
    void aPageOnAForeignNameReboundToThisMachineCanNeitherReadNorCloseConnections(@TempDir Path profile)
            throws Exception {
        try (TcpServer server = TcpServer.builder()
                        .bind("127.0.0.1", 0)
                        .service(Services.echo())
                        .admin(null, 0)
                        .start();
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            client.send("x".getBytes(UTF_8));
            assertThat(client.readExactly(1)).containsExactly('x');
            long id = server.connections().openConnections().get(0).id();
            int adminPort = Objects.requireNonNull(server.adminAddress()).getPort();
            WebDriver browser = startBrowser(profile, "--host-resolver-rules=MAP evil.example 127.0.0.1");
            try {
                browser.get("http://evil.example:" + adminPort + "/");
                Object statuses = ((JavascriptExecutor) browser)
                        .executeAsyncScript(
                                "const done = arguments[arguments.length - 1];"
                                        + "(async () => {"
                                        + "  const read = await fetch('/api/connections', {cache: 'no-store'});"
                                        + "  const close = await fetch('/api/connections/' + arguments[0] + '/close',"
                                        + "      {method: 'POST'});"
                                        + "  return [location.origin, read.status, close.status];"
                                        + "})().then(done, e => done(String(e)));",
                                id);
                assertThat(statuses)
                        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
                        .containsExactly("http://evil.example:" + adminPort, 421L, 421L);
            } finally {
                browser.quit();
            }
            assertThat(server.connections().openCount()).isOne();
            client.send("y".getBytes(UTF_8));
            assertThat(client.readExactly(1)).containsExactly('y');
        }
    }

    /**
     * Debian's chromium and chromedriver, named explicitly so that Selenium downloads nothing. Headless, without the
     * sandbox (CI runs as root), and without the background traffic a fresh profile starts (there is no network).
     */
    private static WebDriver startBrowser(Path profile, String... more) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1280,900",
                "--user-data-dir=" + profile.toAbsolutePath());
        options.addArguments(more);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    private static String address(LoopbackClient client) {
        return "127.0.0.1:" + client.socket().getLocalPort();
    }

    /** The client addresses the page's table shows, top to bottom, read in one script: the table is redrawn live. */
    private static List<String> addresses(WebDriver browser) {
        Object cells = ((JavascriptExecutor) browser)
                .executeScript("return Array.from(document.querySelectorAll('#clients tr.client td.address'))"
                        + ".map(td => td.textContent.trim());");
        return cells instanceof List<?> list
                ? list.stream().map(String::valueOf).toList()
                : List.of();
    }

    private static WebElement row(WebDriver browser, LoopbackClient client) {
        return browser.findElements(By.cssSelector("#clients tr.client")).stream()
                .filter(tr ->
                        tr.findElement(By.cssSelector("td.address")).getText().equals(address(client)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + address(client)));
    }

    private static void screenshot(WebDriver browser, Path file) throws java.io.IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES));
    }
}
