package dev.cacheproxy.server.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The protocol part of a connection's pipeline, after the connection limit and TLS: HTTP/1.1
 * ({@code HttpServerCodec -> [chunked writer] -> idle -> RequestHandler}) or HTTP/2 (the frame codec and one
 * child channel per stream, each {@code stream-to-HTTP/1 objects -> chunked writer -> RequestHandler}), so that
 * every request, whatever the protocol, meets the same {@link RequestHandler} and {@link ResponseWriter}:
 * Range, conditionals, HEAD, fills followed as they grow, {@code X-Cache}. HTTP/2 is chosen by ALPN on TLS
 * listeners, and by the client's connection preface on cleartext listeners with {@code h2c}.
 */
final class Pipelines {
    /** Streams one HTTP/2 connection may have open at once. */
    static final int MAX_STREAMS = 128;

    private final Supplier<RequestHandler> handlers;
    private final Duration idleTimeout;
    private final boolean tls;

    /**
     * @param handlers a new request handler per HTTP/1.1 connection or HTTP/2 stream
     * @param tls whether the connection is encrypted (file bodies are then chunked: sendfile cannot encrypt)
     */
    Pipelines(Supplier<RequestHandler> handlers, Duration idleTimeout, boolean tls) {
        this.handlers = handlers;
        this.idleTimeout = idleTimeout;
        this.tls = tls;
    }

    /** On a TLS connection: HTTP/2 when the client offers {@code h2} in ALPN, else HTTP/1.1. */
    void negotiate(ChannelPipeline p) {
        p.addLast("alpn", new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
            @Override
            protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                    http2(ctx.pipeline());
                } else {
                    http1(ctx.pipeline());
                }
            }
        });
    }

    /** On a cleartext connection with h2c: HTTP/2 when the first bytes are its connection preface, else HTTP/1.1. */
    void priorKnowledge(ChannelPipeline p) {
        p.addLast("preface", new ByteToMessageDecoder() {
            @Override
            protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
                ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();
                int n = Math.min(in.readableBytes(), preface.readableBytes());
                boolean h2 = ByteBufUtil.equals(in, in.readerIndex(), preface, 0, n);
                boolean whole = n == preface.readableBytes();
                preface.release();
                if (h2 && !whole) {
                    return; // not enough bytes to tell yet
                }
                if (h2) {
                    http2(ctx.pipeline());
                } else {
                    http1(ctx.pipeline());
                }
                ctx.pipeline().remove(this); // hands what was read on to the protocol's codec
            }
        });
    }

    void http1(ChannelPipeline p) {
        p.addLast("http", http1Codec());
        if (tls) {
            p.addLast("chunked", new ChunkedWriteHandler());
        }
        p.addLast("idle", new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS))
                .addLast("handler", handlers.get());
    }

    /** HTTP/1.1's codec, with our limits: a request head's size, and the largest piece of a body handed on. */
    static HttpServerCodec http1Codec() {
        return new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(ProxyServer.MAX_INITIAL_LINE)
                .setMaxHeaderSize(ProxyServer.MAX_HEADER_SIZE)
                .setMaxChunkSize(ProxyServer.MAX_BODY_PIECE));
    }

    void http2(ChannelPipeline p) {
        p.addLast("h2", Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(MAX_STREAMS)
                        .maxHeaderListSize(ProxyServer.MAX_HEADER_SIZE))
                .build());
        p.addLast("idle", new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS))
                .addLast("close-idle", new ChannelDuplexHandler() {
                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
                        if (evt instanceof IdleStateEvent) {
                            ctx.close(); // nothing read or written for idle_timeout: no stream is active
                            return;
                        }
                        super.userEventTriggered(ctx, evt);
                    }
                })
                .addLast("streams", new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel stream) {
                        // a stream takes no FileRegion: file bodies go as chunks of HTTP content (FileBodies)
                        stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true), new ChunkedWriteHandler(),
                                handlers.get());
                    }
                }));
    }
}
