package dev.tcpkit.admin;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Netty's aggregator with the admin endpoint's answer to a request body over the limit: a JSON {@code 413}, and the
 * connection closed. Netty's own answer keeps a keep-alive connection open and reads (and drops) the rest of the body,
 * however long it is; nothing the endpoint serves takes a body, so there is nothing worth reading on for.
 */
final class RequestAggregator extends HttpObjectAggregator {
    private final int maxBody;

    RequestAggregator(int maxBody) {
        super(maxBody, true); // an over-long "Expect: 100-continue" gets 417 and a close too
        this.maxBody = maxBody;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
        if (!(oversized instanceof HttpRequest)) {
            super.handleOversizedMessage(ctx, oversized);
            return;
        }
        // The caller releases the oversized message.
        AdminHandler.respond(
                ctx,
                false,
                AdminHandler.error(
                        ctx,
                        HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                        "request body larger than " + maxBody + " bytes"));
    }
}
