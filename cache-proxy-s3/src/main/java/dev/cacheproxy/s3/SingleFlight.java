package dev.cacheproxy.s3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One run at a time per key: a caller that finds a run of its key in flight waits for that run's result
 * instead of starting its own (one download, one upload per digest on this node).
 */
final class SingleFlight<K, V> {
    /** The work of one run. */
    @FunctionalInterface
    interface Work<V> {
        V run() throws IOException;
    }

    private final Map<K, CompletableFuture<V>> running = new ConcurrentHashMap<>();

    V run(K key, Work<V> work) throws IOException {
        CompletableFuture<V> mine = new CompletableFuture<>();
        CompletableFuture<V> theirs = running.putIfAbsent(key, mine);
        if (theirs != null) {
            try {
                return theirs.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof IOException io ? io
                        : e.getCause() instanceof UncheckedIOException u ? u.getCause()
                        : new IOException(e.getCause());
            }
        }
        try {
            V v = work.run();
            mine.complete(v);
            return v;
        } catch (IOException | RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            running.remove(key, mine);
        }
    }
}
