package dev.cacheproxy.core.events;

import dev.cacheproxy.core.http.CacheStatus;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Swallows (and logs once per kind) anything a metrics implementation throws. */
final class GuardedCacheEvents implements CacheEvents {
    private static final Logger LOG = LoggerFactory.getLogger(GuardedCacheEvents.class);
    private final CacheEvents d;
    private volatile boolean warned;

    GuardedCacheEvents(CacheEvents delegate) {
        this.d = delegate;
    }

    private void run(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            if (!warned) {
                warned = true;
                LOG.warn("metrics hook failed (further failures are not logged)", e);
            }
        }
    }

    @Override public void evicted(int n, long b) { run(() -> d.evicted(n, b)); }
    @Override public void fillUnstored(String i, String r) { run(() -> d.fillUnstored(i, r)); }
    @Override public void uploaded(String i, String p, long b) { run(() -> d.uploaded(i, p, b)); }
    @Override public void uploadRefused(String i, String p, String r) { run(() -> d.uploadRefused(i, p, r)); }
    @Override public void hostedRead(String i, String p, boolean h) { run(() -> d.hostedRead(i, p, h)); }
    @Override public void collected(String i, int n) { run(() -> d.collected(i, n)); }
    @Override public void served(String i, CacheStatus s) { run(() -> d.served(i, s)); }
    @Override public void upstreamBytes(String i, long b) { run(() -> d.upstreamBytes(i, b)); }
    @Override public void upstreamResponse(String i, int s, Duration l) { run(() -> d.upstreamResponse(i, s, l)); }
    @Override public void fillStarted(String i) { run(() -> d.fillStarted(i)); }
    @Override public void fillFinished(String i, boolean s, long b) { run(() -> d.fillFinished(i, s, b)); }
    @Override public void fillEnded(String i) { run(() -> d.fillEnded(i)); }
    @Override public void followerJoined(String i) { run(() -> d.followerJoined(i)); }
    @Override public void verificationFailed(String i) { run(() -> d.verificationFailed(i)); }
    @Override public void blobDamaged(String f) { run(() -> d.blobDamaged(f)); }
    @Override public void repositoryRefreshed(String i, String o) { run(() -> d.repositoryRefreshed(i, o)); }
    @Override public void repositoryRoots(String i, String s, int n) { run(() -> d.repositoryRoots(i, s, n)); }
    @Override public void upstreamCircuit(String i, String u, String f, String t) { run(() -> d.upstreamCircuit(i, u, f, t)); }
}
