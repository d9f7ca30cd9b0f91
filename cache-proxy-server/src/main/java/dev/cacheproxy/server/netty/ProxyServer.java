package dev.cacheproxy.server.netty;

import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.server.tls.ServerTls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty side: event loops (epoll when available, else NIO), the main listener and one listener per
 * dedicated-bind instance, each with the pipeline
 * {@code connection limit -> [TLS] -> the protocol's stages (Pipelines: HTTP/1.1, or HTTP/2 by ALPN or h2c prior
 * knowledge) -> RequestHandler}.
 * No aggregator: bodies are streamed.
 */
public final class ProxyServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyServer.class);
    /** Request line and header limits: beyond them the client gets 414 or 431. */
    static final int MAX_INITIAL_LINE = 8 * 1024;
    static final int MAX_HEADER_SIZE = 16 * 1024;
    /**
     * The largest piece of a request body the decoder hands on: Netty's largest read on a connection
     * (its adaptive allocator's default), so that a read is never cut up. The decoder's own default of 8 KiB
     * sent an upload through the pipeline and its queue in eight pieces per read (the upstream client had the
     * same, issue 20).
     */
    static final int MAX_BODY_PIECE = 64 * 1024;

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Class<? extends ServerChannel> channelType;
    private final ServerState state = new ServerState();
    private final ChannelGroup all = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final List<Channel> serverChannels = new ArrayList<>();
    private final ExecutorService blocking;
    /** Channels of hot blobs, shared by every listener's hits. */
    private final OpenFiles openFiles = new OpenFiles();
    private final RequestObserver observer;
    private final int maxConnections;
    private final Duration idleTimeout;
    private final ServerTls tls;
    private final boolean h2c;
    private volatile AccessGuard guard = AccessGuard.OPEN;

    /**
     * @param tls TLS for every listener (HTTP/2 offered by ALPN), or empty for cleartext
     * @param h2c whether cleartext listeners also take HTTP/2 with prior knowledge
     */
    public ProxyServer(ExecutorService blocking, RequestObserver observer, int maxConnections, Duration idleTimeout,
            Optional<ServerTls> tls, boolean h2c) {
        this.tls = tls.orElse(null);
        this.h2c = h2c;
        IoHandlerFactory io = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.channelType = Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        this.boss = new MultiThreadIoEventLoopGroup(1, io);
        this.workers = new MultiThreadIoEventLoopGroup(0, io);
        this.blocking = blocking;
        this.observer = observer;
        this.maxConnections = maxConnections;
        this.idleTimeout = idleTimeout;
        LOG.info("network transport: {}", Epoll.isAvailable() ? "epoll" : "nio");
    }

    public InetSocketAddress bindMain(String hostPort, Router router, dev.cacheproxy.server.admin.AdminEndpoints admin,
            PublicUrls urls) throws InterruptedException {
        return bind(hostPort, new MainDispatcher(router, admin, urls, guard));
    }

    public InetSocketAddress bindDedicated(String hostPort, String name, ModeInstance instance, PublicUrls urls)
            throws InterruptedException {
        return bind(hostPort, new BindDispatcher(name, instance, urls, guard));
    }

    private InetSocketAddress bind(String hostPort, Dispatcher dispatcher) throws InterruptedException {
        ResponseWriter writer = new ResponseWriter(blocking, openFiles);
        ConnectionLimiter limiter = new ConnectionLimiter(state, maxConnections);
        Pipelines pipelines = new Pipelines(() -> new RequestHandler(dispatcher, writer, blocking, state, observer),
                idleTimeout, tls != null);
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                // At most 4 writes per connection per event-loop turn (Netty's default is 16): one sendfile(2) can
                // move several MiB on a fast link, so with 16 one 64 MiB body could go out whole while the other
                // connections of its loop wait, as nginx's sendfile_max_chunk prevents. A hit's head, file region
                // and end take 3. 64 MiB p99 at 64 connections: 5.34 -> 4.94 s (docs/benchmarks.md).
                .childOption(ChannelOption.WRITE_SPIN_COUNT, 4)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        all.add(ch);
                        ch.pipeline().addLast("limit", limiter);
                        if (tls != null) {
                            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
                            pipelines.negotiate(ch.pipeline());
                        } else if (h2c) {
                            pipelines.priorKnowledge(ch.pipeline());
                        } else {
                            pipelines.http1(ch.pipeline());
                        }
                    }
                });
        Channel ch = b.bind(toAddress(hostPort)).sync().channel();
        serverChannels.add(ch);
        all.add(ch);
        return (InetSocketAddress) ch.localAddress();
    }

    static InetSocketAddress toAddress(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = Integer.parseInt(hostPort.substring(colon + 1));
        return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }

    /** The instances' access rules, for the listeners bound from now on. */
    public void guardWith(AccessGuard guard) {
        this.guard = guard;
    }

    public void markReady() {
        state.listenersBound = true;
    }

    public boolean listenersBound() {
        return state.listenersBound;
    }

    public int inFlight() {
        return state.inFlight.get();
    }

    /**
     * Graceful stop: stop accepting, let in-flight responses finish until {@code deadline}, then close
     * every connection and stop the event loops.
     */
    public void shutdown(Duration deadline) {
        state.draining.set(true);
        for (Channel ch : serverChannels) {
            ch.close().awaitUninterruptibly();
        }
        long end = System.nanoTime() + deadline.toNanos();
        while (state.inFlight.get() > 0 && System.nanoTime() < end) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (state.inFlight.get() > 0) {
            LOG.warn("shutdown deadline reached with {} response(s) still in flight; closing them", state.inFlight.get());
        }
        all.close().awaitUninterruptibly();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        openFiles.close();
    }

    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }
}
