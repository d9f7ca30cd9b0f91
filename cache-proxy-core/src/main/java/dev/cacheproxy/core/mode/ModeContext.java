package dev.cacheproxy.core.mode;

import dev.cacheproxy.core.blob.BlobStore;
import dev.cacheproxy.core.cache.CacheEngine;
import dev.cacheproxy.core.events.CacheEvents;
import dev.cacheproxy.core.fetch.FillLimiter;
import dev.cacheproxy.core.index.EntryIndex;
import dev.cacheproxy.core.index.EntryStore;
import dev.cacheproxy.core.index.EntryUsage;
import dev.cacheproxy.core.index.FileEntryStore;
import dev.cacheproxy.core.index.HotEntries;
import dev.cacheproxy.core.quota.StorageSpace;
import dev.cacheproxy.core.schedule.Scheduler;
import dev.cacheproxy.core.upstream.AllowedTargets;
import dev.cacheproxy.core.upstream.Failover;
import dev.cacheproxy.core.upstream.TransportSettings;
import dev.cacheproxy.core.upstream.UpstreamAuth;
import dev.cacheproxy.core.upstream.UpstreamClient;
import dev.cacheproxy.core.upstream.UpstreamHealthRegistry;
import dev.cacheproxy.core.upstream.UpstreamTransport;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;

/**
 * What the server hands a mode to build an instance: the shared store, the clock, the events hook and
 * the threads fills run on. Modes get their engine from {@link #engine} rather than wiring one.
 * {@code stateRoot} holds what a mode persists beside its entries (the Linux repository modes keep
 * their roots and metadata generations there, in {@link #stateDir}); {@code schedulers} makes the
 * {@link Scheduler} an instance's background work runs on; {@code health} holds the server's upstream
 * breakers, one per upstream host, shared by the instances that use it; {@code usage} is the table of
 * every entry the size quota evicts by, {@code space} says whether a fill may store its body, {@code hot}
 * is the in-memory index every instance's {@link EntryIndex} keeps its hot entries in, and {@code transports}
 * makes the wire every upstream client talks over (the server's Netty client).
 */
public record ModeContext(BlobStore store, EntryStore entries, FillLimiter limiter, InstantSource clock,
        CacheEvents events, ExecutorService fillThreads, Path stateRoot, Function<String, Scheduler> schedulers,
        UpstreamHealthRegistry health, EntryUsage usage, StorageSpace space, HotEntries hot,
        UpstreamTransport.Factory transports) {

    /**
     * A context with entries in files under {@code indexRoot} (temp files in {@code tmpDir}), without a
     * quota or a free-space floor (tests, {@code -validate}).
     */
    public ModeContext(BlobStore store, Path indexRoot, Path tmpDir, FillLimiter limiter, InstantSource clock,
            CacheEvents events, ExecutorService fillThreads, Path stateRoot, Function<String, Scheduler> schedulers,
            UpstreamHealthRegistry health) {
        this(store, new FileEntryStore(indexRoot, tmpDir), limiter, clock, events, fillThreads, stateRoot, schedulers,
                health, new EntryUsage(), StorageSpace.unlimited(store, clock), HotEntries.ofBytes(HotEntries.DEFAULT_BYTES),
                UpstreamTransport.JDK);
    }

    /**
     * A scheduler for the background work of one instance ({@code name} names its timing thread);
     * closing it cancels what that instance planned. Tests pass one they drive by hand.
     */
    public Scheduler scheduler(String name) {
        return schedulers.apply(name);
    }

    /** The entry index of {@code instance} (a hosted mode's; pull-through modes get theirs with their {@link #engine}). */
    public EntryIndex index(String instance) {
        return new EntryIndex(entries, instance, hot, usage, clock);
    }

    /** The directory of {@code instance}'s own state (created by the mode when it writes). */
    public Path stateDir(String instance) {
        return stateRoot.resolve(instance);
    }

    public UpstreamClient upstream(String instance, List<URI> bases, TransportSettings transport) {
        return upstream(instance, bases, transport, UpstreamAuth.NONE);
    }

    /** A client that authenticates with {@code auth} (registries). */
    public UpstreamClient upstream(String instance, List<URI> bases, TransportSettings transport, UpstreamAuth auth) {
        return new UpstreamClient(instance, bases, transport, events, auth, AllowedTargets.NONE, Failover.ON_FAILURE, health,
                transports);
    }

    /** The engine of {@code instance}, in front of its upstreams as its basics configure them. */
    public CacheEngine engine(String instance, InstanceBasics basics) {
        return engine(instance, upstream(instance, basics.upstreams(), basics.transport()), basics.negativeCacheFor());
    }

    /** The engine of {@code instance}, authenticating to its upstream with {@code auth} (registries). */
    public CacheEngine engine(String instance, InstanceBasics basics, UpstreamAuth auth) {
        return engine(instance, upstream(instance, basics.upstreams(), basics.transport(), auth),
                basics.negativeCacheFor());
    }

    /**
     * The engine of {@code instance}, which may also fetch absolute URLs below {@code allowed} (a PyPI
     * files host), without the configured upstream's credentials.
     */
    public CacheEngine engine(String instance, InstanceBasics basics, AllowedTargets allowed) {
        return engine(instance, new UpstreamClient(instance, basics.upstreams(), basics.transport(), events,
                UpstreamAuth.NONE, allowed, Failover.ON_FAILURE, health, transports), basics.negativeCacheFor());
    }

    /**
     * The engine of {@code instance} whose upstreams are asked in turn as {@code failover} says, and which
     * may also fetch absolute URLs below {@code allowed} (go's checksum database).
     */
    public CacheEngine engine(String instance, InstanceBasics basics, AllowedTargets allowed, Failover failover) {
        return engine(instance, new UpstreamClient(instance, basics.upstreams(), basics.transport(), events,
                UpstreamAuth.NONE, allowed, failover, health, transports), basics.negativeCacheFor());
    }

    public CacheEngine engine(String instance, UpstreamClient upstream, Duration negativeTtl) {
        EntryIndex index = index(instance);
        return new CacheEngine(instance, store, index, upstream, limiter, negativeTtl, clock, events, fillThreads, space);
    }
}
