package dev.cacheproxy.core.upstream;

import dev.cacheproxy.core.events.CacheEvents;
import dev.cacheproxy.core.http.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active probes (anchor-behaviour §2.10): a {@code HEAD} of a metadata file a mode names (a Linux
 * repository root's InRelease, repomd.xml, database or index), answered into the host's breaker, so that
 * an open upstream is re-admitted without waiting for a client's canary and a recovering repository is
 * noticed. Coordinated per upstream host: at most one probe in flight, at least {@link #HOST_SPACING}
 * between two probes of one host plus a fixed per-host jitter (up to a fifth of it, so hosts do not probe
 * in step), every {@code probe_interval} ({@code canary_cooldown} while the host's circuit is open or
 * half-open), the targets of all jobs on the host taken in turn. A host that answers {@code 405} to
 * {@code HEAD} is probed with a one-byte ranged {@code GET} from then on. Probes go over the instances' own
 * upstream transport (in the server, the shared Netty client and its kept connections), made from the
 * {@code transport} block of the host's first job with {@code probe_timeout} for the connection and the headers:
 * through its proxy, with its {@code user_agent} (probes that went around a configured proxy failed and opened the
 * circuit of an upstream the instance reached well). Each host used to get a {@code java.net.http} client of its
 * own, with a selector thread, made when the first root was found: in the middle of that client's first run.
 *
 * <p>{@link #runDue} does one round; the server calls it every second from one thread, tests call it
 * with their own clock.
 */
public final class UpstreamProber {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamProber.class);
    static final Duration HOST_SPACING = Duration.ofSeconds(30);
    private static final int DRAIN_BYTES = 64 * 1024;

    /**
     * One instance's probes on one upstream base: the paths below the base worth probing now (percent
     * encoded, at most a few), and who hears each answer (the path and status; 0 for no answer).
     */
    public record Job(String instance, URI base, TransportSettings transport, UpstreamTransport.Factory transports,
            Supplier<List<String>> targets, BiConsumer<String, Integer> onAnswer) {}

    private final UpstreamHealthRegistry health;
    private final CacheEvents events;
    private final Map<String, Host> hosts = new ConcurrentHashMap<>();

    UpstreamProber(UpstreamHealthRegistry health, CacheEvents events) {
        this.health = health;
        this.events = events;
    }

    /** Adds a job; closing the returned handle removes it (an instance that stops). */
    public AutoCloseable register(Job job) {
        if (job.base().getRawUserInfo() != null) {
            throw new IllegalArgumentException("probe bases carry no credentials");
        }
        String key = UpstreamHealthRegistry.hostKey(job.base());
        Host h = hosts.computeIfAbsent(key, k -> new Host(k, job.transport(), job.transports()));
        h.jobs.add(job);
        return () -> h.jobs.remove(job);
    }

    /** Probes every host that is due at {@code nowNanos}, one target each, on the calling thread. */
    public void runDue(long nowNanos) {
        List<Host> due = new ArrayList<>();
        for (Host h : hosts.values()) {
            if (!h.jobs.isEmpty() && nowNanos - h.nextDueNanos >= 0 && h.inFlight.compareAndSet(false, true)) {
                due.add(h);
            }
        }
        for (Host h : due) {
            try {
                h.probeOne(nowNanos);
            } catch (RuntimeException e) {
                LOG.warn("probe of upstream {} failed unexpectedly", h.key, e); // the other hosts are still probed
            } finally {
                h.inFlight.set(false);
            }
        }
    }

    /** One upstream host: its jobs, its turn among their targets, and when it may be probed next. */
    private final class Host {
        private final String key;
        private final HealthSettings settings;
        private final String userAgent;
        private final List<Job> jobs = new CopyOnWriteArrayList<>();
        private final AtomicBoolean inFlight = new AtomicBoolean();
        private final long jitterNanos;
        private final UpstreamTransport wire;
        /** Why the proxy would refuse us (never the credentials themselves). */
        private final String proxyRefusal;
        private volatile long nextDueNanos = Long.MIN_VALUE / 2;
        private volatile boolean rangedGet;
        private int turn;

        Host(String key, TransportSettings transport, UpstreamTransport.Factory transports) {
            this.key = key;
            this.settings = transport.health();
            this.userAgent = transport.userAgent();
            this.proxyRefusal = TransportSettings.proxyRefusal(transport.proxyAuthorization().isPresent());
            this.jitterNanos = Math.floorMod(key.hashCode(), 1000) * (HOST_SPACING.toNanos() / 5 / 1000);
            Duration timeout = settings.probeTimeout();
            this.wire = transports.create(new TransportSettings(transport.proxy(), transport.userAgent(), timeout,
                    timeout, timeout, timeout, settings));
        }

        void probeOne(long nowNanos) {
            List<Job> current = List.copyOf(jobs);
            Job job = null;
            String target = null;
            for (int tried = 0; tried < current.size() && target == null; tried++) {
                Job j = current.get(Math.floorMod(turn++, current.size()));
                List<String> targets = j.targets().get();
                if (!targets.isEmpty()) {
                    job = j;
                    target = targets.get(Math.floorMod(turn, targets.size()));
                }
            }
            UpstreamHealth breaker = health.of(current.isEmpty() ? URI.create(key) : current.get(0).base(), settings);
            UpstreamHealth.State state = breaker.state();
            Duration every = state == UpstreamHealth.State.OPEN || state == UpstreamHealth.State.HALF_OPEN
                    ? settings.canaryCooldown() : settings.probeInterval();
            nextDueNanos = nowNanos + Math.max(every.toNanos(), HOST_SPACING.toNanos()) + jitterNanos;
            if (target == null) {
                return;
            }
            URI uri;
            try {
                uri = UpstreamTarget.resolve(job.base(), target, "");
            } catch (UpstreamTarget.OutsideBaseException e) {
                return; // never probed: a target outside its base
            }
            long start = System.nanoTime();
            int status = send(uri);
            long latency = System.nanoTime() - start;
            // A probe asks whether the host answers: any answer below 500 but 429 says it does. A 401 or 403
            // is no failure here (a probe job's base has no credentials: probes never carry the upstream's).
            // A 407 is the instance's proxy refusing us, not the host answering: a failure, as it is for the
            // instance's requests (UpstreamClient), so a probe never re-admits a host nothing can reach.
            boolean proxyRefused = status == 407;
            boolean success = status > 0 && status < 500 && status != 429 && !proxyRefused;
            Job owner = job;
            breaker.remember(success ? null : status == 0 ? "probe: no answer"
                    : proxyRefused ? "probe: the proxy answered 407 (" + proxyRefusal + ")" : "probe: answered " + status,
                    health.clock().instant());
            breaker.record(success, latency, nowNanos).ifPresent(t -> {
                LOG.info("[{}] upstream {}: circuit {} (active probe of {})", owner.instance(), key, t.event(), uri.getRawPath());
                events.upstreamCircuit(owner.instance(), key, t.from().label(), t.to().label());
            });
            owner.onAnswer().accept(target, status);
        }

        /** The status of a HEAD (or, on a host that refuses HEAD, a one-byte GET); 0 when nothing answered. */
        private int send(URI uri) {
            try {
                if (!rangedGet) {
                    int s = status(uri, "HEAD", Headers.of("User-Agent", userAgent));
                    if (s != 405) {
                        return s;
                    }
                    rangedGet = true;
                    LOG.info("upstream {} refuses HEAD: probing it with a one-byte GET from now on", key);
                }
                return status(uri, "GET", Headers.of("User-Agent", userAgent, "Range", "bytes=0-0"));
            } catch (IOException e) {
                return 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
        }

        private int status(URI uri, String method, Headers headers) throws IOException, InterruptedException {
            UpstreamTransport.Answer a = wire.exchange(uri, method, headers, new byte[0]);
            try (InputStream body = a.body()) {
                // the one byte asked for is read, so the connection is kept; a host that ignores the range and
                // sends the whole file has its connection dropped once a little of it is read
                body.readNBytes(DRAIN_BYTES);
            }
            return a.status();
        }
    }
}
