package dev.cacheproxy.core.upstream;

import dev.cacheproxy.core.events.CacheEvents;
import dev.cacheproxy.core.schedule.Scheduler;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.RejectedExecutionException;

/**
 * The breakers of one server, one per upstream host ({@code scheme://host:port}): instances that use the
 * same host share what they learn of it, so a mirror that failed for the deb instance is stepped around
 * by the file instance on the same host too. The first instance to ask for a host's breaker sets its
 * tuning ({@code transport.health}); instances that tune one host differently share the first one's.
 */
public final class UpstreamHealthRegistry {
    private final Map<String, UpstreamHealth> byHost = new ConcurrentSkipListMap<>();
    private final Map<String, Set<String>> usedBy = new ConcurrentHashMap<>();
    private final UpstreamProber prober;
    private final InstantSource clock;

    /**
     * A registry whose probes report circuit changes nowhere but the log, and whose last outcomes carry no
     * real time (tests, {@code -validate}).
     */
    public UpstreamHealthRegistry() {
        this(CacheEvents.NONE, InstantSource.fixed(Instant.EPOCH));
    }

    /**
     * @param events where the probes report the circuit changes they cause
     * @param clock the wall clock of each host's last success and last failure (status pages)
     */
    public UpstreamHealthRegistry(CacheEvents events, InstantSource clock) {
        this.clock = clock;
        this.prober = new UpstreamProber(this, events);
    }

    /** The wall clock the last outcomes are stamped with. */
    public InstantSource clock() {
        return clock;
    }

    /** The active probes of these hosts (modes register their targets there). */
    public UpstreamProber prober() {
        return prober;
    }

    /** Runs the due probes every {@code tick} on {@code scheduler}, until the scheduler is closed. */
    public void probeEvery(Scheduler scheduler, Duration tick) {
        try {
            scheduler.schedule(tick, () -> {
                try {
                    prober.runDue(System.nanoTime());
                } finally {
                    probeEvery(scheduler, tick);
                }
            });
        } catch (RejectedExecutionException closed) {
            // the scheduler was closed: the server is stopping
        }
    }

    /** The breaker of {@code base}'s host. */
    public UpstreamHealth of(URI base, HealthSettings settings) {
        return byHost.computeIfAbsent(hostKey(base), k -> new UpstreamHealth(settings));
    }

    /**
     * The breaker of {@code base}'s host, noting that {@code instance} fetches from {@code base} (a URL
     * without credentials) so that status pages can list each instance's upstreams with their health.
     */
    public UpstreamHealth of(URI base, HealthSettings settings, String instance) {
        usedBy.computeIfAbsent(instance, k -> new CopyOnWriteArraySet<>()).add(base.toString());
        return of(base, settings);
    }

    /** One host's breaker as a status page shows it, with when it last answered and last failed. */
    public record HostHealth(String host, UpstreamHealth.State state, double weight, UpstreamHealth.LastOutcomes last) {}

    /** One upstream base of an instance as a status page shows it: its URL and its host's health. */
    public record BaseHealth(String url, HostHealth health) {}

    /** Every host's breaker now, by host. */
    public List<HostHealth> snapshot() {
        long now = System.nanoTime();
        List<HostHealth> out = new ArrayList<>();
        byHost.forEach((host, h) -> out.add(health(host, h, now)));
        return out;
    }

    /** The upstream bases {@code instance} fetches from, in the order it first used them, with their hosts' health. */
    public List<BaseHealth> usedBy(String instance) {
        long now = System.nanoTime();
        List<BaseHealth> out = new ArrayList<>();
        for (String url : usedBy.getOrDefault(instance, new CopyOnWriteArraySet<>())) {
            String host = hostKey(URI.create(url));
            UpstreamHealth h = byHost.get(host);
            if (h != null) {
                out.add(new BaseHealth(url, health(host, h, now)));
            }
        }
        return out;
    }

    private static HostHealth health(String host, UpstreamHealth h, long now) {
        return new HostHealth(host, h.state(), h.weight(now), h.lastOutcomes());
    }

    static String hostKey(URI base) {
        int port = base.getPort() >= 0 ? base.getPort() : "https".equalsIgnoreCase(base.getScheme()) ? 443 : 80;
        return base.getScheme().toLowerCase(Locale.ROOT) + "://" + base.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    }
}
