package dev.cacheproxy.server.upstream;

import dev.cacheproxy.core.upstream.TransportSettings;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.net.http.HttpConnectTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A {@code CONNECT} tunnel through an HTTP proxy to an HTTPS upstream: on a connection to the proxy, asks it for
 * {@code host:port}, waits (on the caller's thread) for a 2xx, and leaves the channel empty of handlers, as a raw
 * byte pipe to the upstream for TLS to start in. Any other answer (403, 407 ...) or none within the dial timeout
 * fails the connection, the status in the error.
 */
final class ProxyTunnel extends ChannelInboundHandlerAdapter {
    private static final String CODEC = "tunnel-codec";
    private static final String HANDLER = "tunnel";

    private final Promise<Void> open;
    private final String target;
    private final boolean withCredentials;
    private int status;

    private ProxyTunnel(Promise<Void> open, String target, boolean withCredentials) {
        this.open = open;
        this.target = target;
        this.withCredentials = withCredentials;
    }

    /** Opens the tunnel on {@code proxy} (connected, auto-read off) to {@code origin}, within {@code timeout}. */
    static void open(Channel proxy, NettyUpstreams.Origin origin, Duration timeout, HttpClientCodec codec)
            throws IOException, InterruptedException {
        Promise<Void> open = proxy.eventLoop().newPromise();
        String target = origin.authority();
        proxy.pipeline().addLast(CODEC, codec)
                .addLast(HANDLER, new ProxyTunnel(open, target, origin.proxyAuthorization() != null));
        FullHttpRequest connect = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.CONNECT, target,
                Unpooled.EMPTY_BUFFER);
        connect.headers().set(HttpHeaderNames.HOST, target);
        if (origin.proxyAuthorization() != null) { // sent before any challenge, as Go's transport does
            connect.headers().set(HttpHeaderNames.PROXY_AUTHORIZATION, origin.proxyAuthorization());
        }
        proxy.writeAndFlush(connect).addListener(f -> {
            if (!f.isSuccess()) {
                open.tryFailure(f.cause());
            }
        });
        proxy.read();
        try {
            if (!open.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                proxy.close();
                throw new HttpConnectTimeoutException("the proxy opened no tunnel to " + target + " within dial_timeout");
            }
        } catch (InterruptedException e) {
            proxy.close();
            throw e;
        }
        if (!open.isSuccess()) {
            proxy.close();
            throw UpstreamConnection.asIo("CONNECT through the proxy failed", open.cause());
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpResponse r) {
                status = r.status().code();
                if (status < 200 || status > 299) {
                    open.tryFailure(new IOException("the proxy answered " + status + " to CONNECT " + target
                            + (status == 407 ? ": " + TransportSettings.proxyRefusal(withCredentials) : "")));
                    ctx.close();
                    return;
                }
            }
            if (msg instanceof LastHttpContent && status / 100 == 2) {
                // the tunnel is up: what follows is the upstream's, for the TLS and HTTP handlers the caller adds
                ctx.pipeline().remove(CODEC);
                ctx.pipeline().remove(this);
                open.trySuccess(null);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!open.isDone()) {
            ctx.read();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        open.tryFailure(new IOException("the proxy closed the connection before opening a tunnel to " + target));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        open.tryFailure(cause);
        ctx.close();
    }
}
