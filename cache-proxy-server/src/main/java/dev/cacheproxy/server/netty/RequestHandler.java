package dev.cacheproxy.server.netty;

import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.mode.Route;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last stage of a connection's pipeline (after {@code HttpServerCodec} and the idle-state handler):
 * takes requests one at a time, in order; answers hits known from memory at once, hands every other
 * request to the {@link Dispatcher} on a virtual thread, and writes the answer with the
 * {@link ResponseWriter} back on the event loop.
 *
 * <p>Pipelining: requests that arrive while one is being answered wait in a queue and are answered
 * in order; reading pauses when the queue is long. Request bodies are read only for requests the
 * dispatcher admits with another method (an instance accepts it at that path), up to {@link #MAX_BODY};
 * any other request that carries a body is answered without reading it, and the connection closed. An
 * upload the instance stores ({@link Dispatcher#streamsBody}) is not read whole: its exchange starts at once
 * and its chunks go to a {@link StreamedUpload} that the instance reads as they arrive.
 */
final class RequestHandler extends ChannelInboundHandlerAdapter {
    /** Whom to tell when the channel becomes writable again (the current follower or pump). */
    static final AttributeKey<Runnable> WRITABILITY = AttributeKey.valueOf("cache-proxy.writability");
    private static final Logger LOG = LoggerFactory.getLogger(RequestHandler.class);
    private static final int MAX_QUEUED = 16;
    /** Pipelined requests served ahead of their turn at most, per connection (apt pipelines ten). */
    static final int MAX_AHEAD = 8;

    private final Dispatcher dispatcher;
    private final ResponseWriter writer;
    private final ExecutorService blocking;
    private final ServerState state;
    private final RequestObserver observer;
    /**
     * Bodies read for instances that accept methods other than GET/HEAD: npm audit payloads, a few
     * hundred KiB for a large monorepo. Held in memory, so kept small.
     */
    static final int MAX_BODY = 4 * 1024 * 1024;

    private final ArrayDeque<Queued> queue = new ArrayDeque<>();
    private BodyReader body;
    /** The body of the request in progress being streamed to its instance, until its last chunk. */
    private StreamedUpload upload;
    /** An upload was answered before its end: its rest is read and dropped, then the connection closes. */
    private boolean lingering;
    static final Duration LINGER = Duration.ofSeconds(5);
    private Exchange current;
    private boolean closeAfterCurrent;
    /** Queued requests started by {@link #serveAhead}. */
    private int ahead;
    /** Whether the request in progress is a GET or HEAD without a body (only then may others start ahead). */
    private boolean currentIsSafe;

    RequestHandler(Dispatcher dispatcher, ResponseWriter writer, ExecutorService blocking, ServerState state,
            RequestObserver observer) {
        this.dispatcher = dispatcher;
        this.writer = writer;
        this.blocking = blocking;
        this.state = state;
        this.observer = observer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (lingering) {
                if (msg instanceof LastHttpContent) {
                    ctx.close();
                }
                return; // the rest of an answered request's body: dropped (released below)
            }
            if (msg instanceof HttpRequest req) {
                if (req.decoderResult().isFailure()) {
                    rejectMalformed(ctx, req.decoderResult().cause());
                    return;
                }
                IncomingRequest in = IncomingRequest.of(req,
                        ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null,
                        ClientIdentity.subject(ctx.channel()));
                boolean hasBody = HttpUtil.getContentLength(req, 0L) > 0 || HttpUtil.isTransferEncodingChunked(req);
                if (hasBody && dispatcher.streamsBody(in)) {
                    upload = new StreamedUpload(ctx.channel(), HttpUtil.getContentLength(req, -1L));
                    enqueue(ctx, new Queued(req, in.withUpload(upload), false, false, upload));
                } else if (hasBody && dispatcher.readsBody(in) && HttpUtil.getContentLength(req, 0L) <= MAX_BODY) {
                    body = new BodyReader(req, in);
                } else if (hasBody && dispatcher.readsBody(in)) {
                    enqueue(ctx, new Queued(req, in, true, true)); // announced too large: answered 413 at once
                } else {
                    enqueue(ctx, new Queued(req, in, hasBody, false));
                }
            }
            if (msg instanceof HttpContent content && upload != null) {
                if (content.decoderResult().isFailure()) {
                    upload.fail("the request body is malformed");
                    upload = null;
                    rejectMalformed(ctx, content.decoderResult().cause());
                    return;
                }
                upload.offer(content.content());
                if (msg instanceof LastHttpContent) {
                    upload.end();
                    upload = null;
                }
            }
            if (msg instanceof HttpContent content && body != null) {
                if (content.decoderResult().isFailure()) {
                    // the codec discards the rest of the connection: answer and close, never send a cut body on
                    body = null;
                    rejectMalformed(ctx, content.decoderResult().cause());
                    return;
                }
                if (!body.append(content)) {
                    enqueue(ctx, body.tooLarge()); // answered 413 at once; the rest is not read, the connection closes
                    body = null;
                } else if (msg instanceof LastHttpContent) {
                    enqueue(ctx, body.finish());
                    body = null;
                }
            }
            // Other bodies (HttpContent) are not read; see the class comment.
        } finally {
            // Request heads from the codec hold no buffers; contents and failed full requests do.
            ReferenceCountUtil.release(msg);
        }
    }

    private void enqueue(ChannelHandlerContext ctx, Queued q) {
        queue.add(q);
        if (queue.size() >= MAX_QUEUED) {
            ctx.channel().config().setAutoRead(false);
        }
        if (current == null) {
            next(ctx);
        } else {
            serveAhead(ctx);
        }
    }

    private void next(ChannelHandlerContext ctx) {
        Queued q = queue.poll();
        if (q == null) {
            ctx.channel().config().setAutoRead(true);
            return;
        }
        HttpRequest req = q.request();
        boolean keepAlive = HttpUtil.isKeepAlive(req) && !q.bodyUnread() && !state.draining.get();
        Exchange ex = new Exchange(ctx, req, keepAlive, this);
        ex.upload = q.upload();
        current = ex;
        currentIsSafe = q.safeWithoutBody();
        state.inFlight.incrementAndGet();
        if (q.bodyTooLarge()) {
            writer.write(ex, ProxyResponse.Document.text(413, "request body larger than " + MAX_BODY + " bytes\n"));
            return;
        }
        Ahead started = q.ahead();
        if (started.answer != null) {
            // served ahead of its turn (see serveAhead): written now, in order
            ahead--;
            ex.instance = started.routed.instance();
            ex.principal = started.routed.principal();
            Route route = started.routed.route();
            if (started.answer.isDone()) {
                deliverAhead(ex, route, started.answer.join());
            } else {
                started.answer.thenAccept(r -> ctx.executor().execute(() -> deliverAhead(ex, route, r)));
            }
            serveAhead(ctx);
            return;
        }
        // Routed once: the same Route answers the hit here or the request on a virtual thread.
        Dispatcher.Routed routed = route(q.incoming(), ex.method, ex.uri);
        ex.instance = routed.instance();
        ex.principal = routed.principal();
        Route route = routed.route();
        // A hit known from memory is answered here, as nginx would: two thread hand-offs cost more than
        // the lookup (bench/: about a fifth of a small hit's throughput). Everything else may block.
        Optional<ProxyResponse> hit = hit(route, ex.method, ex.uri);
        if (hit.isPresent()) {
            answer(ex, hit.get());
            serveAhead(ctx);
            return;
        }
        if (ex.upload != null && HttpUtil.is100ContinueExpected(req) && !(ctx.channel() instanceof Http2StreamChannel)) {
            // An upload admitted (a refusal is an answer, written above without it): Maven's and Nix's clients
            // wait for this before sending the body (a second, otherwise), and send no body after a 401.
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
        blocking.execute(() -> {
            ProxyResponse response = serve(route, ex.method, ex.uri);
            ctx.executor().execute(() -> deliver(ex, response));
        });
        serveAhead(ctx);
    }

    /**
     * Starts the pipelined requests waiting behind the one in progress, as RFC 9112 §9.3.2 allows for safe
     * methods: routed, and served on virtual threads (a miss's fill begins) while the answers before them
     * are written; each answer is still written in its turn. A client that pipelines (apt asks for up to
     * ten packages at once on one connection) otherwise waits, per package, for an upstream fetch that
     * could have run during the previous package's transfer. Only while every request before it is safe
     * too (the RFC's condition): a GET behind a PUT or DELETE of the same key must see what they did, so it
     * waits until they are answered. At most {@link #MAX_AHEAD} at a time; not while the server drains or
     * the connection is closing.
     */
    private void serveAhead(ChannelHandlerContext ctx) {
        if (current == null || !currentIsSafe || closeAfterCurrent || lingering || state.draining.get()
                || !ctx.channel().isActive()) {
            return;
        }
        for (Queued q : queue) {
            if (ahead >= MAX_AHEAD || !q.safeWithoutBody()) {
                return;
            }
            Ahead started = q.ahead();
            if (started.answer != null) {
                continue;
            }
            String method = q.request().method().name();
            String uri = q.request().uri();
            started.routed = route(q.incoming(), method, uri);
            Route route = started.routed.route();
            Optional<ProxyResponse> hit = hit(route, method, uri);
            ahead++;
            if (hit.isPresent()) {
                started.answer = CompletableFuture.completedFuture(hit.get());
            } else {
                CompletableFuture<ProxyResponse> answer = new CompletableFuture<>();
                started.answer = answer;
                blocking.execute(() -> answer.complete(serve(route, method, uri)));
            }
        }
    }

    private Dispatcher.Routed route(IncomingRequest in, String method, String uri) {
        try {
            return dispatcher.route(in);
        } catch (RuntimeException e) {
            LOG.error("request {} {} could not be routed", method, uri, e);
            return new Dispatcher.Routed("-", Route.answer(ProxyResponse.Document.text(500, "internal error\n")));
        }
    }

    private static Optional<ProxyResponse> hit(Route route, String method, String uri) {
        try {
            return route.hit();
        } catch (RuntimeException e) {
            LOG.warn("hit lookup for {} {} failed; answering on a virtual thread", method, uri, e);
            return Optional.empty();
        }
    }

    /** The route's blocking answer; on a virtual thread. Never throws: a failure is a 503 or a 500. */
    private static ProxyResponse serve(Route route, String method, String uri) {
        try {
            return route.serve();
        } catch (java.io.UncheckedIOException e) {
            // the storage failed under the request (a shared bucket unreachable, a disk error): the
            // client may retry; this is no bug of ours and not the upstream's failure
            LOG.warn("request {} {}: storage unavailable: {}", method, uri, e.getCause().getMessage());
            return ProxyResponse.Document.text(503, "storage unavailable; try again later\n").withHeader("Retry-After", "5");
        } catch (RuntimeException | Error e) {
            LOG.error("request {} {} failed", method, uri, e);
            return ProxyResponse.Document.text(500, "internal error\n");
        }
    }

    /**
     * Writes an answer made ahead of its turn, unless it went stale while the answers before it were
     * written: its blob is gone (replaced and collected, or evicted) or its fill failed. Such a request is
     * served again, as if it had just arrived, rather than answered 500 or with a body cut short.
     */
    private void deliverAhead(Exchange ex, Route route, ProxyResponse response) {
        if (ex.ctx.channel().isActive() && wentStale(response)) {
            blocking.execute(() -> {
                ProxyResponse again = serve(route, ex.method, ex.uri);
                ex.ctx.executor().execute(() -> deliver(ex, again));
            });
            return;
        }
        deliver(ex, response);
    }

    /** One stat(2) for a stored blob, as a hit does; a fill's state is in memory. On the event loop. */
    private static boolean wentStale(ProxyResponse response) {
        return switch (response) {
            case ProxyResponse.Stored s -> {
                try {
                    yield Files.size(s.blob().path()) != s.blob().size();
                } catch (java.io.IOException e) {
                    yield true;
                }
            }
            case ProxyResponse.Filling f -> f.fill().aborted();
            default -> false;
        };
    }

    /** Writes an answer that was made off the event loop; on the event loop. */
    private void deliver(Exchange ex, ProxyResponse response) {
        if (ex.ctx.channel().isActive()) {
            answer(ex, response);
        } else {
            discard(response);
            ex.aborted();
        }
    }

    /** Lets go of an answer that will never be written (its client is gone). */
    private static void discard(ProxyResponse response) {
        if (response instanceof ProxyResponse.Streamed s) {
            try {
                s.body().close();
            } catch (java.io.IOException ignored) {
                // client already gone
            }
        }
    }

    /** Drops the requests still waiting (the connection is closing): answers made ahead are let go. */
    private void dropQueued() {
        for (Queued q : queue) {
            if (q.upload() != null) {
                q.upload().discard(); // pipelined behind the one in progress: never answered now
            }
            if (q.ahead().answer != null) {
                q.ahead().answer.thenAccept(RequestHandler::discard);
            }
        }
        queue.clear();
        ahead = 0;
    }

    /** Called by the exchange on the event loop when its response is complete or was cut. */
    void exchangeDone(Exchange ex, boolean aborted) {
        state.inFlight.decrementAndGet();
        current = null;
        ex.ctx.channel().attr(WRITABILITY).set(null);
        boolean bodyLeft = ex.upload != null && !ex.upload.complete();
        if (ex.upload != null && !bodyLeft) {
            ex.upload.discard(); // a whole body answered unread: its buffers go back now
        }
        if (bodyLeft) {
            // answered before its body ended (refused, too large, failed): nothing more is served on this
            // connection, but it is not closed at once: a close with the client's bytes still arriving resets
            // it, and the client loses the answer (nginx's lingering close)
            ex.upload.fail("answered before the body ended");
            if (upload == ex.upload) {
                upload = null;
                lingerUntilBodyEnds(ex.ctx);
            }
        }
        observer.completed(ClientIdentity.of(ex.ctx.channel()), ex.method, ex.uri, ex.status, ex.bytes,
                Duration.ofNanos(System.nanoTime() - ex.startNanos), ex.instance, ex.cache, ex.principal, aborted);
        if (lingering && !aborted) {
            return; // closed when the rest of the body has arrived, or after LINGER
        }
        if (aborted) {
            // What was written goes out first (the status line and headers at least: a fill can abort before
            // its first region was flushed), then the close that tells the client its body was cut. Never a
            // whole body: the last byte is written only once the fill is verified.
            ex.ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (!ex.keepAlive || closeAfterCurrent) {
            ex.ctx.close();
            return;
        }
        next(ex.ctx);
    }

    /**
     * Writes the answer; one given before its upload's body ended says {@code Connection: close}, since the
     * connection closes after it (a client that pooled it would send its next request into the void).
     */
    private void answer(Exchange ex, ProxyResponse response) {
        if (ex.upload != null && !ex.upload.complete()) {
            ex.keepAlive = false;
        }
        writer.write(ex, response);
    }

    /**
     * Reads and drops the rest of a body whose request was answered, then closes; at most {@link #LINGER}, so
     * a client that never finishes (or waits for a 100 Continue it will not get) cannot hold the connection.
     */
    private void lingerUntilBodyEnds(ChannelHandlerContext ctx) {
        lingering = true;
        dropQueued();
        ctx.channel().config().setAutoRead(true);
        ctx.read();
        ctx.executor().schedule(() -> {
            ctx.close();
        }, LINGER.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void rejectMalformed(ChannelHandlerContext ctx, Throwable cause) {
        HttpResponseStatus status;
        if (cause instanceof TooLongHttpLineException) {
            status = HttpResponseStatus.REQUEST_URI_TOO_LONG;
        } else if (cause instanceof TooLongHttpHeaderException) {
            status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        } else if (cause instanceof TooLongFrameException) {
            status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        } else {
            status = HttpResponseStatus.BAD_REQUEST;
        }
        String text = status.reasonPhrase() + "\n";
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        HttpUtil.setContentLength(r, r.content().readableBytes());
        HttpUtil.setKeepAlive(r, false);
        String client = String.valueOf(ctx.channel().remoteAddress());
        if (current == null) {
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            observer.completed(client, "-", "-", status.code(), text.length(), Duration.ZERO, "-", "-", null, false);
        } else {
            // A malformed request pipelined behind one in progress: answer after it, then close.
            r.release();
            closeAfterCurrent = true;
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        Runnable r = ctx.channel().attr(WRITABILITY).get();
        if (r != null) {
            r.run();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        Runnable r = ctx.channel().attr(WRITABILITY).get();
        if (r != null) {
            r.run(); // wakes a pump or follower so it notices the close
        }
        dropQueued();
        if (upload != null) {
            upload.fail("the client closed the connection before the body ended");
            upload = null;
        }
        super.channelInactive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent && current == null) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Connection resets and the like: nothing to answer.
        ctx.close();
    }

    /**
     * A request waiting its turn: its head, as read; whether a body was left unread; whether it was too large;
     * and what {@link #serveAhead} started for it.
     */
    private record Queued(HttpRequest request, IncomingRequest incoming, boolean bodyUnread, boolean bodyTooLarge,
            StreamedUpload upload, Ahead ahead) {
        Queued(HttpRequest request, IncomingRequest incoming, boolean bodyUnread, boolean bodyTooLarge,
                StreamedUpload upload) {
            this(request, incoming, bodyUnread, bodyTooLarge, upload, new Ahead());
        }

        Queued(HttpRequest request, IncomingRequest incoming, boolean bodyUnread, boolean bodyTooLarge) {
            this(request, incoming, bodyUnread, bodyTooLarge, null);
        }

        /** A GET or HEAD that came without a body: the only requests served ahead of their turn. */
        boolean safeWithoutBody() {
            HttpMethod m = request.method();
            return (m == HttpMethod.GET || m == HttpMethod.HEAD) && !bodyUnread && !bodyTooLarge && upload == null
                    && incoming.body().length == 0;
        }
    }

    /** A queued request's route and answer to come, once {@link #serveAhead} started it. Event loop only. */
    private static final class Ahead {
        Dispatcher.Routed routed;
        CompletableFuture<ProxyResponse> answer;
    }

    /** Collects the body of one admitted request until its last content arrives. */
    private static final class BodyReader {
        private final HttpRequest request;
        private final IncomingRequest incoming;
        private final ByteArrayOutputStream bytes;

        BodyReader(HttpRequest request, IncomingRequest incoming) {
            this.request = request;
            this.incoming = incoming;
            long announced = HttpUtil.getContentLength(request, -1L);
            this.bytes = new ByteArrayOutputStream(announced > 0 ? (int) announced : 8192);
        }

        /** Adds a chunk; false when the body would exceed {@link #MAX_BODY}. */
        boolean append(HttpContent content) {
            int n = content.content().readableBytes();
            if (bytes.size() + n > MAX_BODY) {
                return false;
            }
            bytes.writeBytes(ByteBufUtil.getBytes(content.content()));
            return true;
        }

        Queued tooLarge() {
            return new Queued(request, incoming, true, true);
        }

        Queued finish() {
            return new Queued(request, incoming.withBody(bytes.toByteArray()), false, false);
        }
    }
}
