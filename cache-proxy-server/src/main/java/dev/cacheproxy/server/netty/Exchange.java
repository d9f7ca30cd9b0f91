package dev.cacheproxy.server.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;

/**
 * One request/response on a connection, from the moment it is dispatched until its last byte is
 * written (or the connection is cut). Carries what the access log and the metrics need.
 */
final class Exchange {
    final ChannelHandlerContext ctx;
    final HttpRequest request;
    final String method;
    final String uri;
    final boolean head;
    final long startNanos = System.nanoTime();
    volatile boolean keepAlive;
    volatile String instance = "-";
    /** The streamed body of this request (an upload its instance stores), or null. */
    volatile StreamedUpload upload;
    /** The principal the instance's access rules recognised, or null (no rules). */
    volatile String principal;
    volatile int status;
    volatile String cache = "-";
    volatile long bytes;
    private final RequestHandler owner;
    private boolean finished;

    Exchange(ChannelHandlerContext ctx, HttpRequest request, boolean keepAlive, RequestHandler owner) {
        this.ctx = ctx;
        this.request = request;
        this.method = request.method().name();
        this.uri = request.uri();
        this.head = method.equals("HEAD");
        this.keepAlive = keepAlive;
        this.owner = owner;
    }

    /** The response was written completely; the connection may serve the next request. Event loop only. */
    void finished() {
        if (!finished) {
            finished = true;
            owner.exchangeDone(this, false);
        }
    }

    /** The response could not be completed: the connection is closed so the client sees it was cut. */
    void aborted() {
        if (!finished) {
            finished = true;
            owner.exchangeDone(this, true);
        }
    }
}
