package dev.tcpkit.admin;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.tcpkit.connection.CloseReason;
import dev.tcpkit.connection.Connection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.io.IOException;
import java.net.URI;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the admin endpoint's requests; runs on the admin event loop. A request must name an allowed {@code Host}
 * ({@link HostCheck}), else it is {@code 421}; and it must carry the token, when there is one, as {@code
 * Authorization: Bearer TOKEN} or {@code ?token=TOKEN}, else it is {@code 401}; {@code /health} needs neither. Every
 * body but the page and {@code /metrics} is JSON written by {@link ApiJson}.
 */
@Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);
    private static final Pattern CLOSE = Pattern.compile("/api/connections/(\\d{1,18})/close");
    private static final String JSON = "application/json; charset=utf-8";
    /** The page loads nothing from anywhere: its script and style are inline, its data comes from this server. */
    private static final String PAGE_POLICY = "default-src 'none'; script-src 'unsafe-inline'; "
            + "style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'";

    /** A load balancer's check: serving or draining, and nothing else. */
    private static final String HEALTH = "/health";

    /**
     * Paths answered whatever {@code Host} the request names, and without the token, because they reveal nothing: a
     * load balancer's health check may name the service it balances rather than this machine (HAProxy's {@code
     * http-check send hdr Host ...}), or no host at all (HTTP/1.0), and carries no secret.
     */
    private static final Set<String> ANY_HOST = Set.of(HEALTH);

    private final AdminServer.View view;
    private final AdminMetrics metrics;
    private final RateHistory history;
    private final byte @Nullable [] token;
    private final byte[] page;
    private final Clock clock;
    private final HostCheck hosts;

    AdminHandler(
            AdminServer.View view,
            AdminMetrics metrics,
            RateHistory history,
            @Nullable String token,
            byte[] page,
            Clock clock,
            HostCheck hosts) {
        this.view = view;
        this.metrics = metrics;
        this.history = history;
        this.token = token == null ? null : token.getBytes(UTF_8);
        this.page = page;
        this.clock = clock;
        this.hosts = hosts;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws IOException {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!request.decoderResult().isSuccess()) {
            respond(ctx, false, malformed(ctx, request.decoderResult().cause()));
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.path();
        List<String> host = request.headers().getAll(HttpHeaderNames.HOST);
        if (host.size() > 1) {
            respond(ctx, false, error(ctx, HttpResponseStatus.BAD_REQUEST, "more than one Host header"));
            return;
        }
        if (!ANY_HOST.contains(path) && !hosts.allows(host.isEmpty() ? null : host.get(0))) {
            log.debug("admin connection {}: Host {} refused", ctx.channel().remoteAddress(), host);
            respond(
                    ctx,
                    false,
                    error(
                            ctx,
                            HttpResponseStatus.MISDIRECTED_REQUEST,
                            "this endpoint answers a Host that is an IP address or localhost;"
                                    + " name others with --admin-allow-host"));
            return;
        }
        if (path.equals(HEALTH)) {
            health(ctx, keepAlive, request.method());
            return;
        }
        if (!authorized(request, uri)) {
            FullHttpResponse response = error(ctx, HttpResponseStatus.UNAUTHORIZED, "a token is required");
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"tcpkit\"");
            respond(ctx, keepAlive, response);
            return;
        }
        Matcher close = CLOSE.matcher(path);
        if (close.matches()) {
            if (!request.method().equals(HttpMethod.POST)) {
                respond(ctx, keepAlive, notAllowed(ctx, "POST"));
            } else if (!sameOrigin(request)) {
                respond(ctx, keepAlive, error(ctx, HttpResponseStatus.FORBIDDEN, "cross-origin request refused"));
            } else {
                close(ctx, keepAlive, Long.parseLong(close.group(1)));
            }
            return;
        }
        if (!request.method().equals(HttpMethod.GET)) {
            respond(ctx, keepAlive, isKnown(path) ? notAllowed(ctx, "GET") : notFound(ctx, path));
            return;
        }
        long now = clock.millis();
        switch (path) {
            case "/", "/index.html" -> {
                FullHttpResponse response = ok(Unpooled.wrappedBuffer(page), "text/html; charset=utf-8");
                response.headers().set("Content-Security-Policy", PAGE_POLICY);
                respond(ctx, keepAlive, response);
            }
            case "/api/connections" ->
                respond(ctx, keepAlive, json(ctx, HttpResponseStatus.OK, out -> ApiJson.connections(out, view, now)));
            case "/api/stats" ->
                respond(
                        ctx,
                        keepAlive,
                        json(ctx, HttpResponseStatus.OK, out -> ApiJson.stats(out, view, history, now)));
            case "/metrics" ->
                respond(ctx, keepAlive, ok(Unpooled.copiedBuffer(metrics.scrape(), UTF_8), AdminMetrics.CONTENT_TYPE));
            default -> respond(ctx, keepAlive, notFound(ctx, path));
        }
    }

    /**
     * {@code 200 {"status":"serving"}}, or {@code 503 {"status":"draining"}} from the moment the server begins to stop,
     * so that a balancer takes it out while it still serves ({@code --shutdown-delay}). {@code HEAD} gets the same
     * status and headers; {@link io.netty.handler.codec.http.HttpServerCodec} leaves the body out.
     */
    private void health(ChannelHandlerContext ctx, boolean keepAlive, HttpMethod method) throws IOException {
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            respond(ctx, keepAlive, notAllowed(ctx, "GET, HEAD"));
            return;
        }
        boolean draining = view.draining().getAsBoolean();
        HttpResponseStatus status = draining ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.OK;
        respond(ctx, keepAlive, json(ctx, status, out -> ApiJson.health(out, draining)));
    }

    /** Constant-time comparison, so the time an answer takes says nothing about how much of a guess was right. */
    private boolean authorized(FullHttpRequest request, QueryStringDecoder uri) {
        byte[] expected = token;
        if (expected == null) {
            return true;
        }
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return MessageDigest.isEqual(expected, header.substring(7).trim().getBytes(UTF_8));
        }
        List<String> query = uri.parameters().get("token");
        return query != null
                && !query.isEmpty()
                && MessageDigest.isEqual(expected, query.get(0).getBytes(UTF_8));
    }

    /**
     * A browser sends {@code Origin} with every cross-site POST; refusing a foreign one keeps another web page open in
     * the same browser from closing connections through this endpoint (when it has no token).
     */
    private static boolean sameOrigin(FullHttpRequest request) {
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (origin == null) {
            return true;
        }
        String host = request.headers().get(HttpHeaderNames.HOST);
        try {
            String authority = URI.create(origin).getRawAuthority();
            return host != null && authority != null && authority.equalsIgnoreCase(host);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private void close(ChannelHandlerContext ctx, boolean keepAlive, long id) throws IOException {
        Connection connection = view.connections().get(id);
        if (connection == null) {
            respond(ctx, keepAlive, error(ctx, HttpResponseStatus.NOT_FOUND, "no open connection " + id));
            return;
        }
        log.atInfo()
                .addKeyValue("event", "admin-close")
                .addKeyValue("service", view.service())
                .addKeyValue("id", id)
                .addKeyValue("client", connection.client())
                .log("closing {} (connection {}) on request of the admin endpoint", connection.client(), id);
        connection
                .close(CloseReason.ADMIN_CLOSE, "closed from the admin endpoint")
                .addListener(f ->
                        respond(ctx, keepAlive, json(ctx, HttpResponseStatus.OK, out -> ApiJson.closed(out, id))));
    }

    private static boolean isKnown(String path) {
        return switch (path) {
            case "/", "/index.html", "/api/connections", "/api/stats", "/metrics" -> true;
            default -> false;
        };
    }

    /** Writes a JSON body into a pooled buffer, released if writing fails. */
    static FullHttpResponse json(ChannelHandlerContext ctx, HttpResponseStatus status, JsonBody body)
            throws IOException {
        ByteBuf buf = ctx.alloc().buffer();
        try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
            body.writeTo(out);
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw e;
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, buf);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, JSON);
        return response;
    }

    private static FullHttpResponse ok(ByteBuf body, String contentType) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        return response;
    }

    /** {@code {"error":"..."}} with {@code status}. */
    static FullHttpResponse error(ChannelHandlerContext ctx, HttpResponseStatus status, String message)
            throws IOException {
        return json(ctx, status, out -> ApiJson.error(out, message));
    }

    /** What a request the codec could not decode gets: 414 or 431 for the limits, else 400. */
    private static FullHttpResponse malformed(ChannelHandlerContext ctx, Throwable cause) throws IOException {
        if (cause instanceof TooLongHttpLineException) {
            return error(
                    ctx,
                    HttpResponseStatus.REQUEST_URI_TOO_LONG,
                    "request line longer than " + AdminServer.MAX_REQUEST_LINE + " bytes");
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return error(
                    ctx,
                    HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                    "request headers longer than " + AdminServer.MAX_REQUEST_HEADERS + " bytes");
        }
        return error(ctx, HttpResponseStatus.BAD_REQUEST, "malformed request");
    }

    private static FullHttpResponse notFound(ChannelHandlerContext ctx, String path) throws IOException {
        return error(ctx, HttpResponseStatus.NOT_FOUND, "no such page: " + path);
    }

    private static FullHttpResponse notAllowed(ChannelHandlerContext ctx, String allowed) throws IOException {
        FullHttpResponse response =
                error(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "use " + allowed.toUpperCase(Locale.ROOT) + " here");
        response.headers().set(HttpHeaderNames.ALLOW, allowed);
        return response;
    }

    static void respond(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse response) {
        response.headers()
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .set("X-Content-Type-Options", "nosniff");
        HttpUtil.setKeepAlive(response, keepAlive);
        ctx.writeAndFlush(response)
                .addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
    }

    @Override
    @SuppressWarnings("FutureReturnValueIgnored") // a failed close leaves nothing more to do
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("admin connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    /** Writes a response body. */
    @FunctionalInterface
    interface JsonBody {
        void writeTo(ByteBufOutputStream out) throws IOException;
    }
}
