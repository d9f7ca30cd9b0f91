package dev.cacheproxy.server.upstream;

import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.upstream.TransportSettings;
import dev.cacheproxy.core.upstream.UpstreamTransport;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link UpstreamTransport} of one instance over {@link NettyUpstreams}: its {@code dial_timeout},
 * {@code header_timeout} and {@code max_idle_conns}, the pool's connections.
 *
 * <p>A request that fails on a reused connection before any answer (the upstream closed it while it was
 * idle: a race no client avoids) is sent once more on a new connection when it is a GET or a HEAD, as
 * browsers and {@code java.net.http} do; other methods fail.
 */
final class NettyUpstreamTransport implements UpstreamTransport {
    private final NettyUpstreams pool;
    private final TransportSettings settings;

    NettyUpstreamTransport(NettyUpstreams pool, TransportSettings settings) {
        this.pool = pool;
        this.settings = settings;
    }

    @Override
    public Answer exchange(URI uri, String method, Headers headers, byte[] body) throws IOException, InterruptedException {
        NettyUpstreams.Origin origin = NettyUpstreams.Origin.of(uri, settings);
        boolean retryable = method.equals("GET") || method.equals("HEAD");
        for (int attempt = 0; ; attempt++) {
            // built first: a header Netty refuses fails the request before it takes a connection
            FullHttpRequest request = request(uri, origin, method, headers, body);
            // the second attempt never takes another idle connection: it might be as stale as the first
            UpstreamConnection c = attempt == 0 ? pool.acquire(origin, settings.dialTimeout(), settings.maxIdleConns())
                    : pool.connect(origin, settings.dialTimeout(), settings.maxIdleConns());
            UpstreamConnection.Exchange ex = c.start(request);
            HttpResponse head;
            try {
                head = ex.head.get(settings.headerTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                giveUp(c, ex);
                throw new HttpTimeoutException("no response headers within " + settings.headerTimeout().toMillis() + " ms");
            } catch (InterruptedException e) {
                giveUp(c, ex);
                throw e;
            } catch (ExecutionException e) {
                giveUp(c, ex);
                if (retryable && attempt == 0 && c.reused()) {
                    continue;
                }
                throw UpstreamConnection.asIo("exchange failed", e.getCause());
            }
            Headers.Builder h = Headers.builder();
            for (Map.Entry<String, String> e : head.headers()) {
                h.add(e.getKey(), e.getValue());
            }
            return new Answer(head.status().code(), h.build(), ex.body);
        }
    }

    /**
     * Drops an exchange nobody will read: the connection is closed, and whatever of the body the event loop has
     * already queued (the head may have come in just as the caller gave up) is released with the body.
     */
    private static void giveUp(UpstreamConnection c, UpstreamConnection.Exchange ex) {
        ex.body.close();
        c.close();
    }

    /**
     * The request line names the whole URL for plain HTTP through a proxy (with the proxy's credentials, when its URL
     * has them), else the path and query; through a tunnel the proxy sees none of it.
     */
    private static FullHttpRequest request(URI uri, NettyUpstreams.Origin origin, String method, Headers headers,
            byte[] body) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        boolean toTheProxy = origin.proxied() && !origin.tls();
        if (toTheProxy) {
            target = "http://" + uri.getRawAuthority() + target;
        }
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), target,
                body.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.HOST, origin.hostHeader());
        headers.forEach((name, value) -> r.headers().add(name, value));
        if (toTheProxy && origin.proxyAuthorization() != null) {
            r.headers().set(HttpHeaderNames.PROXY_AUTHORIZATION, origin.proxyAuthorization());
        }
        if (body.length > 0 || method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) {
            r.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        }
        return r;
    }
}
