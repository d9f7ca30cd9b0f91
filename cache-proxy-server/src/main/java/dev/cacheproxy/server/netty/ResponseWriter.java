package dev.cacheproxy.server.netty;

import dev.cacheproxy.core.blob.BlobFile;
import dev.cacheproxy.core.http.CacheStatus;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.http.ProxyResponse;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.AsciiString;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;

/**
 * Turns a {@link ProxyResponse} into Netty writes, once for every mode: conditional requests (304),
 * {@code Range} (206/416) and HEAD for stored and in-progress bodies; zero-copy regions for files;
 * a paced pump for upstream streams. Runs on the connection's event loop.
 */
final class ResponseWriter {
    private static final AsciiString X_CACHE = AsciiString.cached("X-Cache");
    /** The values of {@code X-Cache}, encoded once (see {@link WireHeaders}). */
    private static final Map<String, AsciiString> CACHE_VALUES = Arrays.stream(CacheStatus.values())
            .collect(Collectors.toUnmodifiableMap(CacheStatus::name, c -> AsciiString.cached(c.name())));
    private final Executor blocking;
    private final OpenFiles openFiles;

    ResponseWriter(Executor blocking, OpenFiles openFiles) {
        this.blocking = blocking;
        this.openFiles = openFiles;
    }

    void write(Exchange ex, ProxyResponse response) {
        ex.cache = response.cache() == null ? "-" : response.cache().name();
        switch (response) {
            case ProxyResponse.Document d -> document(ex, d);
            case ProxyResponse.Stored s -> stored(ex, s);
            case ProxyResponse.Filling f -> filling(ex, f);
            case ProxyResponse.Streamed s -> streamed(ex, s);
        }
    }

    void document(Exchange ex, ProxyResponse.Document d) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(d.status()),
                ex.head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(d.body()));
        copy(d.headers(), r);
        HttpUtil.setContentLength(r, d.body().length);
        ex.status = d.status();
        ex.bytes = ex.head ? 0 : d.body().length;
        finishWith(ex, ex.ctx.writeAndFlush(prepare(ex, r)));
    }

    private void stored(Exchange ex, ProxyResponse.Stored s) {
        BlobFile blob = s.blob();
        Headers h = s.headers();
        if (Conditionals.notModified(ex.request.headers(), h)) {
            notModified(ex, h);
            return;
        }
        ByteRange range = Conditionals.rangeAllowed(ex.request.headers(), h)
                ? ByteRange.parse(ex.request.headers().get(HttpHeaderNames.RANGE), blob.size())
                : new ByteRange.Whole();
        if (range instanceof ByteRange.Unsatisfiable) {
            unsatisfiable(ex, h, blob.size());
            return;
        }
        HttpResponse r = head(ex, h, range, blob.size());
        if (ex.head) {
            headersOnly(ex, r);
            return;
        }
        long first = range instanceof ByteRange.Part p ? p.first() : 0;
        long length = range instanceof ByteRange.Part p ? p.length() : blob.size();
        OpenFiles.Handle file;
        try {
            // A hot blob's channel is open already; else one open(2) on the event loop, as nginx does. The
            // transfer itself is sendfile(2) (cleartext).
            file = openFiles.acquire(blob);
        } catch (IOException e) {
            document(ex, ProxyResponse.Document.text(500, "stored object unreadable\n"));
            return;
        }
        EpollSocketChannel corked = corkable(ex, length);
        if (corked != null) {
            corked.config().setTcpCork(true);
        }
        ex.ctx.write(prepare(ex, r));
        if (length > 0) {
            FileBodies.write(ex.ctx, file.channel(), first, length, true).addListener(f -> file.release());
        } else {
            file.release();
        }
        ex.bytes = length;
        ChannelFuture done = ex.ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        if (corked != null) {
            done.addListener(f -> {
                if (corked.isActive()) {
                    corked.config().setTcpCork(false); // the last segment leaves now
                }
            });
        }
        finishWith(ex, done);
    }

    /**
     * The connection to cork while a mid-sized stored body goes out, or null: with TCP_CORK the headers and
     * the first bytes of the file leave in one segment instead of a small one of their own (nginx's
     * {@code tcp_nopush} with sendfile); +5-7% req/s on 64 KiB hits, nothing measurable at 1 KiB (the headers
     * and body fit one segment anyway) or from 1 MiB up (docs/benchmarks.md). Cleartext HTTP/1.1 on epoll only:
     * an HTTP/2 stream or a TLS connection frames its own writes.
     */
    private static EpollSocketChannel corkable(Exchange ex, long length) {
        return length >= 8 * 1024 && length <= 256 * 1024 && ex.ctx.channel() instanceof EpollSocketChannel e
                && ex.ctx.pipeline().get(ChunkedWriteHandler.class) == null ? e : null;
    }

    private void filling(Exchange ex, ProxyResponse.Filling f) {
        Headers h = f.headers();
        if (Conditionals.notModified(ex.request.headers(), h)) {
            notModified(ex, h);
            return;
        }
        long size = f.fill().expectedLength();
        ByteRange range = size >= 0 && Conditionals.rangeAllowed(ex.request.headers(), h)
                ? ByteRange.parse(ex.request.headers().get(HttpHeaderNames.RANGE), size)
                : new ByteRange.Whole();
        if (range instanceof ByteRange.Unsatisfiable) {
            unsatisfiable(ex, h, size);
            return;
        }
        HttpResponse r = head(ex, h, range, size);
        if (ex.head) {
            headersOnly(ex, r);
            return;
        }
        ex.ctx.write(prepare(ex, r));
        long first = range instanceof ByteRange.Part p ? p.first() : 0;
        long endExclusive = range instanceof ByteRange.Part p ? p.last() + 1 : size;
        // Opening may wait briefly for a rename in progress: do it off the event loop.
        blocking.execute(() -> {
            try {
                FileChannel ch = f.fill().openReader();
                ex.ctx.executor().execute(() -> {
                    FillFollower follower = new FillFollower(ex, f.fill(), ch, first, endExclusive);
                    ex.ctx.channel().attr(RequestHandler.WRITABILITY).set(follower::resume);
                    follower.begin();
                });
            } catch (IOException e) {
                ex.ctx.executor().execute(ex::aborted);
            }
        });
    }

    private void streamed(Exchange ex, ProxyResponse.Streamed s) {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(s.status()));
        copy(s.headers(), r);
        ex.status = s.status();
        boolean bodyless = ex.head || s.status() == 304 || s.status() == 204;
        if (s.contentLength() >= 0) {
            HttpUtil.setContentLength(r, s.contentLength());
        } else if (!bodyless) {
            HttpUtil.setTransferEncodingChunked(r, true);
        }
        if (bodyless) {
            closeQuietly(s.body());
            headersOnly(ex, r);
            return;
        }
        ex.ctx.writeAndFlush(prepare(ex, r));
        StreamPump pump = new StreamPump(ex, s.body());
        ex.ctx.channel().attr(RequestHandler.WRITABILITY).set(pump::signal);
        blocking.execute(pump::run);
    }

    /** HEAD, 304-like and body-less answers: the head with its Content-Length, and no body. */
    private static void headersOnly(Exchange ex, HttpResponse r) {
        finishWith(ex, ex.ctx.writeAndFlush(prepare(ex, new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, r.status(),
                Unpooled.EMPTY_BUFFER, r.headers(), EmptyHttpHeaders.INSTANCE))));
    }

    /** The head of a stored or filling body: its stored headers as {@link WireHeaders}, then ours. */
    private HttpResponse head(Exchange ex, Headers h, ByteRange range, long size) {
        HttpResponse r;
        WireHeaders stored = h.derived(WireHeaders.class, WireHeaders::of);
        if (range instanceof ByteRange.Part p) {
            r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.PARTIAL_CONTENT, WireHeaders.HEADS);
            stored.addTo(r.headers());
            r.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes " + p.first() + "-" + p.last() + "/" + size);
            HttpUtil.setContentLength(r, p.length());
        } else {
            r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, WireHeaders.HEADS);
            stored.addTo(r.headers());
            if (size >= 0) {
                HttpUtil.setContentLength(r, size);
            } else {
                HttpUtil.setTransferEncodingChunked(r, true);
            }
        }
        if (size >= 0) {
            r.headers().set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES);
        }
        ex.status = r.status().code();
        return r;
    }

    private void notModified(Exchange ex, Headers h) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED);
        for (String name : new String[] {"etag", "last-modified", "cache-control", "vary"}) {
            h.first(name).ifPresent(v -> r.headers().set(name, v));
        }
        ex.status = 304;
        finishWith(ex, ex.ctx.writeAndFlush(prepare(ex, r)));
    }

    private void unsatisfiable(Exchange ex, Headers h, long size) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE);
        r.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + size);
        HttpUtil.setContentLength(r, 0);
        ex.status = 416;
        finishWith(ex, ex.ctx.writeAndFlush(prepare(ex, r)));
    }

    /** The last touch on every response head: keep-alive, and the cache status as {@code X-Cache} (set here and nowhere else). */
    private static HttpResponse prepare(Exchange ex, HttpResponse r) {
        HttpUtil.setKeepAlive(r, ex.keepAlive);
        if (!ex.cache.equals("-")) {
            r.headers().set(X_CACHE, CACHE_VALUES.getOrDefault(ex.cache, AsciiString.cached(ex.cache)));
        }
        return r;
    }

    private static void copy(Headers from, HttpResponse to) {
        from.forEach((k, v) -> to.headers().add(k, v));
    }

    private static void finishWith(Exchange ex, ChannelFuture f) {
        f.addListener(done -> {
            if (done.isSuccess()) {
                ex.finished();
            } else {
                ex.aborted();
            }
        });
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // nothing to do
        }
    }
}
