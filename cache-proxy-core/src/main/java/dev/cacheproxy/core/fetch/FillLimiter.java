package dev.cacheproxy.core.fetch;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Bounds concurrent fills globally ({@code storage.download.max_active}) and per instance
 * ({@code max_active_per_instance}). A fill over the limit waits its turn (fair queue) instead of
 * failing, unlike the Go project which answers 502. Waiting happens on virtual threads.
 */
public final class FillLimiter {
    private final Semaphore global;
    private final int perInstance;
    private final ConcurrentHashMap<String, Semaphore> instances = new ConcurrentHashMap<>();

    public FillLimiter(int maxActive, int maxActivePerInstance) {
        this.global = new Semaphore(maxActive, true);
        this.perInstance = maxActivePerInstance;
    }

    public void acquire(String instance) throws InterruptedException {
        Semaphore s = instances.computeIfAbsent(instance, k -> new Semaphore(perInstance, true));
        s.acquire();
        try {
            global.acquire();
        } catch (InterruptedException e) {
            s.release();
            throw e;
        }
    }

    public void release(String instance) {
        global.release();
        instances.get(instance).release();
    }
}
