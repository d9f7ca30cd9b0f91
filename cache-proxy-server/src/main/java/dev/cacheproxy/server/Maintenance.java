package dev.cacheproxy.server;

import dev.cacheproxy.core.maintenance.BlobGarbageCollector;
import dev.cacheproxy.core.maintenance.BlobScrubber;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.server.config.AppConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background housekeeping schedule, on one thread of its own so that tasks never overlap:
 * expiry cleanup of every instance every {@code storage.cleanup.interval} (6h; off with
 * {@code storage.cleanup.enabled: false}; {@code batch_size} removals at most per instance and run,
 * {@code dry_run} only logs), and blob GC every {@code storage.gc.blob}. The first run of each comes
 * {@link #FIRST_RUN} after start-up (or one interval, if shorter), not one full interval as in the Go
 * project, where a process restarted daily never collected anything.
 *
 * <p>The scrub ({@code storage.scrub}) runs on a thread of its own: a pass paced to its rate takes
 * hours on a large store and must not hold cleanup and GC back.
 */
final class Maintenance implements AutoCloseable {
    static final Duration FIRST_RUN = Duration.ofMinutes(10);
    private static final Logger LOG = LoggerFactory.getLogger(Maintenance.class);

    private final AppConfig.Storage storage;
    private final Map<String, ModeInstance> instances;
    private final BlobGarbageCollector gc;
    private final BlobScrubber scrubber;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("maintenance").factory());
    private final ScheduledExecutorService scrubTimer =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("scrub").factory());

    /** @param scrubber null when {@code storage.scrub.rate} is 0 */
    Maintenance(AppConfig.Storage storage, Map<String, ModeInstance> instances, BlobGarbageCollector gc,
            BlobScrubber scrubber) {
        this.storage = storage;
        this.instances = instances;
        this.gc = gc;
        this.scrubber = scrubber;
    }

    void start() {
        if (storage.cleanupEnabled()) {
            schedule(timer, "expiry cleanup", storage.cleanupInterval(), this::removeExpired);
        }
        schedule(timer, "blob GC", storage.gcBlob(), this::collectBlobs);
        if (scrubber != null) {
            schedule(scrubTimer, "scrub", storage.scrubInterval(), this::scrub);
        }
    }

    private static void schedule(ScheduledExecutorService timer, String name, Duration every, Runnable task) {
        long first = Math.min(every.toMillis(), FIRST_RUN.toMillis());
        timer.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                // an exception would cancel the schedule; log it and try again next time
                LOG.error("{} failed", name, e);
            }
        }, first, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    void removeExpired() {
        instances.forEach((name, instance) -> {
            try {
                int n = instance.removeExpired(storage.cleanupBatchSize(), storage.cleanupDryRun());
                if (n > 0) {
                    LOG.info("[{}] expiry cleanup {} {} entr{}", name, storage.cleanupDryRun() ? "would remove" : "removed",
                            n, n == 1 ? "y" : "ies");
                }
            } catch (IOException e) {
                LOG.warn("[{}] expiry cleanup: {}", name, e.toString());
            }
        });
    }

    void collectBlobs() {
        try {
            gc.run();
        } catch (IOException e) {
            LOG.warn("blob GC: {}", e.toString());
        }
    }

    void scrub() {
        try {
            scrubber.pass();
        } catch (IOException e) {
            LOG.warn("scrub: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // shutting down
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        scrubTimer.shutdownNow();
    }
}
