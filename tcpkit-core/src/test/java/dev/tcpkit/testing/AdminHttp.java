package dev.tcpkit.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Real HTTP requests to an admin endpoint on loopback, and parsers for what it answers; every request times out. */
public final class AdminHttp {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** One sample of Prometheus's text format: {@code name{labels} value}. */
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})?\\s+(\\S+)$");

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    /** @param url the admin page's URL, e.g. {@code http://127.0.0.1:9090/} */
    public AdminHttp(String url) {
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** GET {@code path} (which may carry a query) with no credentials. */
    public HttpResponse<String> get(String path) {
        return send(request(path).GET().build());
    }

    /** GET {@code path} with {@code Authorization: Bearer token}. */
    public HttpResponse<String> get(String path, String token) {
        return send(
                request(path).header("Authorization", "Bearer " + token).GET().build());
    }

    /** POST with an empty body, and the bearer token when not null. */
    public HttpResponse<String> post(String path, @Nullable String token) {
        HttpRequest.Builder b = request(path).POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b.build());
    }

    /** Sends any request built on {@link #request(String)}. */
    public HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A request builder for {@code path} with a 10 s timeout. */
    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
    }

    /** GET a JSON document that must answer 200, parsed. */
    public JsonNode json(String path) {
        HttpResponse<String> response = get(path);
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + path + ": " + response.statusCode() + " " + response.body());
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("GET " + path + " is not JSON: " + response.body(), e);
        }
    }

    /** GET /metrics (must answer 200) as {@code name{labels}} to value, each sample once. */
    public Map<String, Double> metrics() {
        HttpResponse<String> response = get("/metrics");
        if (response.statusCode() != 200) {
            throw new AssertionError("GET /metrics: " + response.statusCode() + " " + response.body());
        }
        return parsePrometheus(response.body());
    }

    /** Parses Prometheus's text format; fails on a line that is neither a comment nor a sample. */
    public static Map<String, Double> parsePrometheus(String text) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : text.lines().toList()) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new AssertionError("not a Prometheus sample: " + line);
            }
            String key = m.group(1) + (m.group(2) == null ? "" : m.group(2));
            String value = m.group(3);
            double v = value.equals("+Inf")
                    ? Double.POSITIVE_INFINITY
                    : value.equals("-Inf") ? Double.NEGATIVE_INFINITY : Double.parseDouble(value);
            if (samples.put(key, v) != null) {
                throw new AssertionError("sample twice: " + key);
            }
        }
        return samples;
    }
}
