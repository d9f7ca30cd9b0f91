package dev.cacheproxy.server.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * One keep-alive connection to an upstream origin, and the last handler of its pipeline: it carries one
 * exchange at a time ({@link #start}) and goes back to its pool when a response ended on a connection
 * both sides keep open. Reading is on demand (auto-read off): while an exchange runs, as its
 * {@link ResponseBody} asks; while idle in the pool, one read stays armed so that the upstream closing
 * the connection (or sending anything unasked) is seen at once and the connection dropped, never handed
 * to the next request.
 */
final class UpstreamConnection extends ChannelInboundHandlerAdapter {
    private final NettyUpstreams.Origin origin;
    private final NettyUpstreams pool;
    /** Idle connections to its origin the pool keeps when this one is released ({@code max_idle_conns}). */
    private final int maxIdle;
    private Channel channel;
    private volatile Exchange current;
    /** The exchanges this connection has started; more than one means a reused connection. */
    private int uses;
    private long idleSince;
    /** An informational (1xx) head was read: its empty end is not the response's end. */
    private boolean informational;

    UpstreamConnection(NettyUpstreams.Origin origin, NettyUpstreams pool, int maxIdle) {
        this.origin = origin;
        this.pool = pool;
        this.maxIdle = maxIdle;
    }

    /** One request and its response: the head arrives on {@code head}, the body through {@code body}. */
    static final class Exchange {
        final CompletableFuture<HttpResponse> head = new CompletableFuture<>();
        final ResponseBody body;
        boolean keepAlive;

        Exchange(Channel channel) {
            this.body = new ResponseBody(channel::read, channel::close);
        }

        void fail(IOException e) {
            if (!head.completeExceptionally(e)) {
                body.fail(e);
            }
        }
    }

    void attach(Channel channel) {
        this.channel = channel;
    }

    NettyUpstreams.Origin origin() {
        return origin;
    }

    int maxIdle() {
        return maxIdle;
    }

    boolean reused() {
        return uses > 1;
    }

    /** Whether this idle connection may carry another request at {@code nowNanos}. */
    boolean reusable(long nowNanos, long keepAliveNanos) {
        return channel.isActive() && nowNanos - idleSince < keepAliveNanos;
    }

    void idleSince(long nowNanos) {
        idleSince = nowNanos;
    }

    /** Sends {@code request} (this connection's caller owns it until its response ends or fails). */
    Exchange start(FullHttpRequest request) {
        uses++;
        Exchange ex = new Exchange(channel);
        current = ex;
        channel.writeAndFlush(request).addListener(f -> {
            if (!f.isSuccess()) {
                ex.fail(asIo("could not send the request", f.cause()));
                channel.close();
            }
        });
        channel.read();
        return ex;
    }

    void close() {
        channel.close();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Exchange ex = current;
        if (ex == null) {
            // an idle connection is not spoken to: whatever this is, the connection is out of step
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        if (msg instanceof HttpResponse r) {
            if (r.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                ex.fail(asIo("bad response head", r.decoderResult().cause()));
                ctx.close();
                return;
            }
            if (r.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                informational = true; // 100 Continue and the like: the real head follows
            } else {
                ex.keepAlive = HttpUtil.isKeepAlive(r);
                ex.head.complete(r);
            }
        }
        if (msg instanceof HttpContent c) {
            if (c.decoderResult().isFailure()) {
                c.release();
                ex.fail(asIo("bad response body", c.decoderResult().cause()));
                ctx.close();
                return;
            }
            if (informational) {
                c.release();
                informational = !(msg instanceof LastHttpContent);
                return;
            }
            ByteBuf content = c.content();
            if (content.isReadable()) {
                ex.body.offer(content);
            } else {
                c.release();
            }
            if (msg instanceof LastHttpContent) {
                current = null;
                // back in the pool before the reader learns the body ended: its next request finds it there
                if (ex.keepAlive) {
                    pool.release(this);
                    ctx.read(); // armed while idle: a close or anything unasked is seen at once
                } else {
                    ctx.close();
                }
                ex.body.end();
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Exchange ex = current;
        if (ex != null && (!ex.head.isDone() || ex.body.readOn())) {
            ctx.read();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Exchange ex = current;
        current = null;
        pool.forget(this);
        if (ex != null) {
            ex.fail(new IOException(ex.head.isDone() ? "upstream closed the connection before the body ended"
                    : "upstream closed the connection without answering"));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Exchange ex = current;
        if (ex != null) {
            ex.fail(asIo("connection failed", cause));
        }
        ctx.close();
    }

    /** {@code cause} as the I/O failure it is (a TLS failure arrives wrapped by the decoder that met it). */
    static IOException asIo(String what, Throwable cause) {
        if (cause instanceof IOException io) {
            return io;
        }
        if (cause instanceof DecoderException && cause.getCause() instanceof IOException io) {
            return io;
        }
        return new IOException(what + ": " + cause, cause);
    }
}
