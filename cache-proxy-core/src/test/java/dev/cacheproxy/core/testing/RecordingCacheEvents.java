package dev.cacheproxy.core.testing;

import dev.cacheproxy.core.http.CacheStatus;
import dev.cacheproxy.core.events.CacheEvents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Events as a test sees them: every one recorded in order, and {@link #await} to wait for one instead
 * of sleeping (a fill finishes on its own thread after the response was handed over).
 */
public final class RecordingCacheEvents implements CacheEvents {
    /** One event: its kind ({@code served}, {@code fill}, {@code verification}, {@code damaged}) and detail. */
    public record Event(String kind, String detail) {}

    private final List<Event> events = new ArrayList<>();

    private synchronized void add(String kind, String detail) {
        events.add(new Event(kind, detail));
        notifyAll();
    }

    public synchronized List<Event> all() {
        return List.copyOf(events);
    }

    /** How many events of {@code kind} were recorded. */
    public synchronized long count(String kind) {
        return events.stream().filter(e -> e.kind().equals(kind)).count();
    }

    /** How many events of {@code kind} with {@code detail} were recorded. */
    public synchronized long count(String kind, String detail) {
        return events.stream().filter(e -> e.kind().equals(kind) && e.detail().equals(detail)).count();
    }

    /** Waits (at most {@code timeout}) until an event matches; fails the test otherwise. */
    public synchronized Event await(Predicate<Event> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (Event e : events) {
                if (wanted.test(e)) {
                    return e;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no matching event within " + timeout + "; saw " + events);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    @Override
    public void served(String instance, CacheStatus status) {
        add("served", status.name());
    }

    @Override
    public void fillFinished(String instance, boolean stored, long bytes) {
        add("fill", stored ? "stored" : "aborted");
    }

    @Override
    public void fillUnstored(String instance, String reason) {
        add("unstored", reason);
    }

    @Override
    public void verificationFailed(String instance) {
        add("verification", "failed");
    }

    @Override
    public void blobDamaged(String foundBy) {
        add("damaged", foundBy);
    }

    @Override
    public void upstreamResponse(String instance, int status, Duration latency) {
        add("upstream", Integer.toString(status));
    }
}
