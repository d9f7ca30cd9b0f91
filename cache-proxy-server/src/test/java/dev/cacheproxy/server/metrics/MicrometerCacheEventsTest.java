package dev.cacheproxy.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cacheproxy.core.blob.FileBlobStore;
import dev.cacheproxy.core.http.CacheStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each event, its meter looked up in the class's own maps, lands on the meter its name and labels name. */
class MicrometerCacheEventsTest {
    @TempDir
    Path dir;

    @Test
    void eachEventCountsOnTheMeterOfItsLabels() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (FileBlobStore store = FileBlobStore.open(dir)) {
            MicrometerCacheEvents events = new MicrometerCacheEvents(registry, store);
            events.upstreamResponse("deb", 200, Duration.ofMillis(5));
            events.upstreamResponse("deb", 200, Duration.ofMillis(7));
            events.upstreamResponse("deb", 404, Duration.ofMillis(1));
            events.upstreamResponse("npm", 0, Duration.ofMillis(1));
            events.upstreamBytes("deb", 100);
            events.upstreamBytes("deb", 50);
            events.upstreamBytes("npm", 7);
            events.fillFinished("deb", true, 100);
            events.fillFinished("deb", true, 50);
            events.fillFinished("deb", false, 0);
            events.followerJoined("deb");
            events.followerJoined("npm");
            events.followerJoined("npm");
            events.uploaded("builds", "bazel", 10);
            events.uploaded("builds", "bazel", 20);
            events.uploaded("builds", "gradle", 5);
            events.served("deb", CacheStatus.HIT);
            events.served("deb", CacheStatus.HIT);
            events.served("deb", CacheStatus.MISS);
            events.hostedRead("builds", "bazel", true);
            events.hostedRead("builds", "bazel", false);
            events.evicted(3, 300);
            events.evicted(1, 100);

            assertEquals(2, registry.get("cache_proxy_upstream_requests").tags("instance", "deb", "status", "2xx").timer().count());
            assertEquals(1, registry.get("cache_proxy_upstream_requests").tags("instance", "deb", "status", "4xx").timer().count());
            assertEquals(1, registry.get("cache_proxy_upstream_requests").tags("instance", "npm", "status", "failed").timer().count());
            assertEquals(150, registry.get("cache_proxy_upstream_bytes").tags("instance", "deb").counter().count());
            assertEquals(7, registry.get("cache_proxy_upstream_bytes").tags("instance", "npm").counter().count());
            assertEquals(2, registry.get("cache_proxy_fills").tags("instance", "deb", "result", "stored").counter().count());
            assertEquals(1, registry.get("cache_proxy_fills").tags("instance", "deb", "result", "aborted").counter().count());
            assertEquals(1, registry.get("cache_proxy_fill_followers").tags("instance", "deb").counter().count());
            assertEquals(2, registry.get("cache_proxy_fill_followers").tags("instance", "npm").counter().count());
            assertEquals(2, registry.get("cache_proxy_uploads").tags("instance", "builds", "protocol", "bazel").counter().count());
            assertEquals(30, registry.get("cache_proxy_uploaded_bytes").tags("instance", "builds", "protocol", "bazel").counter().count());
            assertEquals(5, registry.get("cache_proxy_uploaded_bytes").tags("instance", "builds", "protocol", "gradle").counter().count());
            assertEquals(2, registry.get("cache_proxy_cache_results").tags("instance", "deb", "result", "HIT").counter().count());
            assertEquals(1, registry.get("cache_proxy_cache_results").tags("instance", "deb", "result", "MISS").counter().count());
            assertEquals(1, registry.get("cache_proxy_hosted_reads").tags("instance", "builds", "result", "hit").counter().count());
            assertEquals(1, registry.get("cache_proxy_hosted_reads").tags("instance", "builds", "result", "miss").counter().count());
            assertEquals(4, registry.get("cache_proxy_evicted_entries").counter().count());
            assertEquals(400, registry.get("cache_proxy_evicted_bytes").counter().count());
            assertEquals("bytes", registry.get("cache_proxy_evicted_bytes").counter().getId().getBaseUnit());
        }
    }
}
