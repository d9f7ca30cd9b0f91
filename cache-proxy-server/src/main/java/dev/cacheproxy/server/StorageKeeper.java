package dev.cacheproxy.server;

import dev.cacheproxy.core.blob.BlobStore;
import dev.cacheproxy.core.events.CacheEvents;
import dev.cacheproxy.core.index.EntryStore;
import dev.cacheproxy.core.index.EntryUsage;
import dev.cacheproxy.core.index.HotEntries;
import dev.cacheproxy.core.index.UsageScan;
import dev.cacheproxy.core.quota.QuotaEnforcer;
import dev.cacheproxy.core.quota.StorageLimits;
import dev.cacheproxy.core.quota.StorageSpace;
import dev.cacheproxy.server.admin.AdminEndpoints;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage limits at run time: the hot index every instance keeps its hot entries in (bounded in bytes),
 * the table of entry uses (rebuilt in the background after start-up),
 * the quota's evictions on a thread of their own, the lazy flush of use times, the free-space state,
 * and what the admin pages and metrics say about them.
 */
final class StorageKeeper implements AutoCloseable, AdminEndpoints.StorageView {
    private static final Logger LOG = LoggerFactory.getLogger(StorageKeeper.class);
    /** How often use times reach the disk; a crash forgets at most this much of the LRU order. */
    static final Duration FLUSH_EVERY = Duration.ofMinutes(5);
    /** The quota is checked after every stored entry; this timer is the safety net (a blob stored outside a fill). */
    static final Duration CHECK_EVERY = Duration.ofMinutes(1);

    private final BlobStore store;
    private final EntryStore entries;
    private final StorageLimits limits;
    private final EntryUsage usage = new EntryUsage();
    private final HotEntries hot;
    private final StorageSpace space;
    private final QuotaEnforcer enforcer;
    private final ScheduledExecutorService thread =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("storage-quota").factory());

    private final String backend;

    /** @param backend the name of the backend ({@code file}, {@code s3}) for the status report */
    StorageKeeper(BlobStore store, EntryStore entries, StorageLimits limits, long hotIndexSize, InstantSource clock,
            CacheEvents events, String backend) {
        this.backend = backend;
        this.hot = HotEntries.ofBytes(hotIndexSize);
        this.store = store;
        this.entries = entries;
        this.limits = limits;
        this.space = new StorageSpace(store, limits, clock);
        this.enforcer = new QuotaEnforcer(store, usage, entries, limits, clock, events, thread);
        usage.onGrowth(enforcer::check);
    }

    @Override
    public EntryUsage.Held held(String instance) {
        return usage.held(instance);
    }

    EntryUsage usage() {
        return usage;
    }

    HotEntries hot() {
        return hot;
    }

    StorageSpace space() {
        return space;
    }

    /**
     * Starts the background scan of the index (start-up does not wait for it), then the lazy flush of use times
     * and, with a quota, its timer. The scan runs without a quota too: the status page's per-instance counts and
     * the hosted caches' retention ({@code expire_after}: unused for so long) need every entry's last use.
     */
    void start() {
        thread.execute(() -> {
            long started = System.nanoTime();
            try {
                int n = UsageScan.rebuild(entries, usage);
                LOG.info("storage: {} entries, {} bytes in {} blobs (scanned in {} ms){}", n, store.stats().bytes(),
                        store.stats().objects(), (System.nanoTime() - started) / 1_000_000,
                        limits.hasQuota() ? "; quota " + limits.maxSize() + " bytes" : "");
                enforcer.check();
            } catch (IOException | RuntimeException e) {
                LOG.error("storage: could not scan the index; the size quota evicts nothing and hosted entries "
                        + "are not expired until a restart", e);
            }
        });
        thread.scheduleWithFixedDelay(this::flushQuietly, FLUSH_EVERY.toMillis(), FLUSH_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        if (limits.hasQuota()) {
            thread.scheduleWithFixedDelay(enforcer::check, CHECK_EVERY.toMillis(), CHECK_EVERY.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    void registerMetrics(MeterRegistry registry) {
        Gauge.builder("cache_proxy_hot_index_bytes", hot, HotEntries::weightedSize)
                .description("Estimated heap held by the in-memory index of hot entries (storage.hot_index_size bounds it)")
                .baseUnit("bytes").register(registry);
        Gauge.builder("cache_proxy_storage_quota_bytes", limits, StorageLimits::maxSize)
                .description("storage.max_size (0: no quota)").baseUnit("bytes").register(registry);
        Gauge.builder("cache_proxy_storage_free_bytes", space, StorageSpace::freeBytes)
                .description("Free bytes on the storage's file system").baseUnit("bytes").register(registry);
        Gauge.builder("cache_proxy_storage_full", space, s -> s.full() ? 1 : 0)
                .description("1 while fills pass through for want of space (storage.min_free, or the disk said full)")
                .register(registry);
        Gauge.builder("cache_proxy_stored_entries", usage, EntryUsage::size)
                .description("Entries of every instance (known once the start-up scan is done)").register(registry);
    }

    @Override
    public boolean full() {
        return space.full();
    }

    @Override
    public String backend() {
        return backend;
    }

    @Override
    public long storedBytes() {
        return store.stats().bytes();
    }

    @Override
    public long storedObjects() {
        return store.stats().objects();
    }

    @Override
    public long quotaBytes() {
        return limits.maxSize();
    }

    @Override
    public long freeBytes() {
        return space.freeBytes();
    }

    private void flushQuietly() {
        try {
            UsageScan.flush(entries, usage);
        } catch (RuntimeException e) {
            LOG.warn("storage: could not record entry uses: {}", e.toString());
        }
    }

    /** Stops the timers and writes the use times down once more. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (usage.complete()) {
            flushQuietly();
        }
    }
}
