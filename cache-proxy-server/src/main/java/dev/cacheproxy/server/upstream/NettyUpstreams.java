package dev.cacheproxy.server.upstream;

import dev.cacheproxy.core.upstream.JdkUpstreamTransport;
import dev.cacheproxy.core.upstream.TransportSettings;
import dev.cacheproxy.core.upstream.UpstreamTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * The server's upstream client (an {@link UpstreamTransport.Factory}): HTTP/1.1 over Netty on event loops of
 * its own (epoll where available, as the server), TLS with the JVM's trust store and host name
 * verification, and a pool of idle keep-alive connections per origin (scheme, host, port) shared by every
 * instance. Why not {@code java.net.http}: it reads a body into heap buffers it zeroes and hands each to the
 * reading thread through its own selector thread, executor and flow machinery; here the body is read in
 * reads of up to 1 MiB into pooled direct buffers that go to the reading thread as they are. Measured
 * (docs/benchmarks.md, eighth session): a 1 GiB cold miss 1.77 -> 1.33 s on 20 % less CPU, a small
 * sequential miss 0.97 -> 0.64 ms.
 *
 * <p>Through {@code transport.proxy} (an HTTP proxy): plain HTTP goes to the proxy as absolute-form requests
 * on connections kept per proxy and origin; HTTPS goes through a {@code CONNECT} tunnel the proxy opens within
 * {@code dial_timeout}, TLS to the upstream inside it ({@link ProxyTunnel}).
 *
 * <p>{@code -Dcache-proxy.upstream-client=jdk} (in {@code CACHE_PROXY_JAVA_OPTS}) puts every instance back on
 * {@link JdkUpstreamTransport}: a way out, should an upstream and this client not get along, and the other
 * side of the measurements in docs/benchmarks.md.
 *
 * <p>Host names are resolved on the caller's (virtual) thread, never on an event loop; each address is
 * tried in turn within {@code dial_timeout}.
 */
public final class NettyUpstreams implements UpstreamTransport.Factory, AutoCloseable {
    /** How long an idle connection is kept (the JDK client's default; upstreams keep theirs 60 s and more). */
    static final Duration KEEP_ALIVE = Duration.ofSeconds(30);
    /** Response heads larger than this are refused (registries send a few KiB). */
    static final int MAX_HEAD_BYTES = 256 << 10;
    /**
     * The largest read of a response body, and the largest piece the decoder hands on. The decoder's own
     * default piece is 8 KiB: a 1 MiB read then went through the pipeline, the body's queue and the fill's
     * reader as 128 slices, about 38,000 for the bench's cold apt run (308 MiB), each a few dozen calls that a
     * just-started JVM runs interpreted (docs/benchmarks.md, twelfth session). The pieces are slices of the
     * read buffer, so a larger one costs no memory.
     */
    static final int MAX_READ = 1 << 20;

    /** The system property that chooses {@code java.net.http} for every instance ({@code jdk}). */
    static final String CLIENT_PROPERTY = "cache-proxy.upstream-client";

    private final boolean jdkOnly = "jdk".equals(System.getProperty(CLIENT_PROPERTY));
    private final EventLoopGroup group;
    private final Class<? extends Channel> channelType;
    private final SslContext tls;
    private final ConcurrentHashMap<Origin, ConcurrentLinkedDeque<UpstreamConnection>> idle = new ConcurrentHashMap<>();

    /** With the JVM's trust store (the {@code javax.net.ssl.trustStore} property, else the runtime's cacerts). */
    public NettyUpstreams() {
        this(null);
    }

    /** @param trust the certificate authorities upstreams are checked against (tests); null for the JVM's */
    public NettyUpstreams(TrustManagerFactory trust) {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.channelType = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("upstream-io", true), io);
        try {
            this.tls = SslContextBuilder.forClient().trustManager(trust).endpointIdentificationAlgorithm("HTTPS").build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS for upstreams: " + e.getMessage(), e);
        }
    }

    @Override
    public UpstreamTransport create(TransportSettings settings) {
        return jdkOnly ? new JdkUpstreamTransport(settings) : new NettyUpstreamTransport(this, settings);
    }

    /**
     * Where a connection goes: requests to the same origin (through the same proxy with the same credentials, if
     * any) share connections. {@code proxyHost} is null for a direct connection; {@code proxyAuthorization} is the
     * {@code Proxy-Authorization} value for the proxy URL's credentials, or null (never shown: {@link #toString}).
     */
    record Origin(boolean tls, String host, int port, String proxyHost, int proxyPort, String proxyAuthorization) {
        /** The origin of {@code uri}, reached through {@code proxy} when one is given. */
        static Origin of(URI uri, TransportSettings transport) {
            Origin direct = of(uri);
            return transport.proxy().map(p -> new Origin(direct.tls(), direct.host(), direct.port(), p.getHost(),
                    transport.proxyPort(), transport.proxyAuthorization().orElse(null))).orElse(direct);
        }

        @Override
        public String toString() {
            return (tls ? "https://" : "http://") + authority() + (proxied() ? " via " + proxyHost + ":" + proxyPort : "");
        }

        boolean proxied() {
            return proxyHost != null;
        }

        /** {@code host:port} as a CONNECT request line names it (an IPv6 literal in brackets). */
        String authority() {
            return bracketedHost() + ":" + port;
        }

        /** The {@code Host} header: the host, and the port unless it is the scheme's default. */
        String hostHeader() {
            return port == (tls ? 443 : 80) ? bracketedHost() : authority();
        }

        private String bracketedHost() {
            return host.contains(":") ? "[" + host + "]" : host;
        }

        static Origin of(URI uri) {
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new IllegalArgumentException("not an http(s) URL: " + scheme);
            }
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("no host");
            }
            boolean tls = scheme.equals("https");
            String host = uri.getHost();
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return new Origin(tls, host.toLowerCase(Locale.ROOT), uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80, null, 0,
                    null);
        }
    }

    /**
     * An idle connection to {@code origin} if one is still good, else a new one, which the pool keeps when it is
     * released as long as fewer than {@code maxIdle} connections to its origin are idle ({@code max_idle_conns}).
     */
    UpstreamConnection acquire(Origin origin, Duration dialTimeout, int maxIdle) throws IOException, InterruptedException {
        ConcurrentLinkedDeque<UpstreamConnection> pooled = idle.get(origin);
        if (pooled != null) {
            long now = System.nanoTime();
            UpstreamConnection c;
            while ((c = pooled.pollLast()) != null) { // the most recently used: the least likely to be closed
                if (c.reusable(now, KEEP_ALIVE.toNanos())) {
                    return c;
                }
                c.close();
            }
        }
        return connect(origin, dialTimeout, maxIdle);
    }

    /** Event loop: {@code c}'s response ended and both sides keep the connection. */
    void release(UpstreamConnection c) {
        c.idleSince(System.nanoTime());
        ConcurrentLinkedDeque<UpstreamConnection> pooled = idle.computeIfAbsent(c.origin(), o -> new ConcurrentLinkedDeque<>());
        pooled.offerLast(c);
        // the cap of the instance that used it last: instances sharing an origin share its idle connections
        while (pooled.size() > c.maxIdle()) {
            UpstreamConnection oldest = pooled.pollFirst();
            if (oldest != null) {
                oldest.close();
            }
        }
    }

    /** Event loop: {@code c} closed. */
    void forget(UpstreamConnection c) {
        ConcurrentLinkedDeque<UpstreamConnection> pooled = idle.get(c.origin());
        if (pooled != null) {
            pooled.remove(c);
        }
    }

    /** A new connection to {@code origin} (for {@code maxIdle}, see {@link #acquire}). */
    UpstreamConnection connect(Origin origin, Duration dialTimeout, int maxIdle) throws IOException, InterruptedException {
        String dialHost = origin.proxied() ? origin.proxyHost() : origin.host();
        int dialPort = origin.proxied() ? origin.proxyPort() : origin.port();
        boolean tunnel = origin.proxied() && origin.tls();
        InetAddress[] addresses = InetAddress.getAllByName(dialHost);
        IOException last = null;
        for (InetAddress address : addresses) {
            UpstreamConnection connection = new UpstreamConnection(origin, this, maxIdle);
            Bootstrap b = new Bootstrap().group(group).channel(channelType)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, dialTimeout.toMillis()))
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.TCP_NODELAY, true)
                    // reads of up to 1 MiB: with Netty's default of 64 KiB this client was no faster than the JDK's
                    // (a 1 GiB miss 1.8-2.1 s); with 1 MiB 1.3-1.4 s (docs/benchmarks.md, eighth session)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(4096, 64 << 10, MAX_READ))
                    .disableResolver()
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            if (tunnel) {
                                return; // the tunnel is opened first (ProxyTunnel), then TLS and HTTP go in
                            }
                            if (origin.tls()) {
                                ch.pipeline().addLast(tls.newHandler(ch.alloc(), origin.host(), origin.port()));
                            }
                            ch.pipeline().addLast(codec(), connection);
                        }
                    });
            ChannelFuture f = b.connect(new InetSocketAddress(address, dialPort));
            try {
                if (!f.await(dialTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS)) {
                    f.channel().close();
                    last = new HttpConnectTimeoutException("connect timed out");
                    continue;
                }
            } catch (InterruptedException e) {
                f.channel().close();
                throw e;
            }
            if (f.isSuccess()) {
                if (tunnel) {
                    ProxyTunnel.open(f.channel(), origin, dialTimeout, codec());
                    f.channel().pipeline().addFirst(tls.newHandler(f.channel().alloc(), origin.host(), origin.port()));
                    f.channel().pipeline().addLast(codec(), connection);
                }
                connection.attach(f.channel());
                return connection;
            }
            Throwable cause = f.cause();
            if (cause instanceof ConnectTimeoutException) {
                last = new HttpConnectTimeoutException("connect timed out");
            } else if (cause instanceof ConnectException) {
                last = new ConnectException(cause.getMessage()); // the JDK's class name, whatever the transport's
            } else {
                last = UpstreamConnection.asIo("connect failed", cause);
            }
        }
        throw last == null ? new IOException("no address for " + origin.host()) : last;
    }

    static HttpClientCodec codec() {
        return new HttpClientCodec(new HttpDecoderConfig().setMaxHeaderSize(MAX_HEAD_BYTES).setMaxInitialLineLength(16 << 10)
                .setMaxChunkSize(MAX_READ), false, false);
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
}
