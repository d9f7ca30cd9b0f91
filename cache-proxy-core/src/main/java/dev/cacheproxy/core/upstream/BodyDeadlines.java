package dev.cacheproxy.core.upstream;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Enforces {@code idle_body_timeout} and {@code max_request_duration} on upstream bodies, which
 * {@code java.net.http} cannot: one daemon thread checks every guarded stream each 250 ms and
 * interrupts the thread blocked in {@code read()} of a stream that stalled or ran too long; the
 * read then fails with {@link UpstreamTimeoutException}.
 */
public final class BodyDeadlines {
    private static final BodyDeadlines SHARED = new BodyDeadlines();

    private final Set<Guarded> active = ConcurrentHashMap.newKeySet();

    private BodyDeadlines() {
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "upstream-body-deadlines");
            t.setDaemon(true);
            return t;
        });
        s.scheduleWithFixedDelay(this::check, 250, 250, TimeUnit.MILLISECONDS);
    }

    public static InputStream guard(InputStream in, Duration idle, Duration total) {
        return SHARED.wrap(in, idle, total);
    }

    private InputStream wrap(InputStream in, Duration idle, Duration total) {
        Guarded g = new Guarded(in, idle.toNanos(), System.nanoTime() + total.toNanos());
        active.add(g);
        return g;
    }

    private void check() {
        long now = System.nanoTime();
        for (Guarded g : active) {
            g.check(now);
        }
    }

    private final class Guarded extends FilterInputStream {
        private final long idleNanos;
        private final long deadline;
        private volatile long lastProgress = System.nanoTime();
        private volatile Thread reader;
        private volatile String expired;

        Guarded(InputStream in, long idleNanos, long deadline) {
            super(in);
            this.idleNanos = idleNanos;
            this.deadline = deadline;
        }

        void check(long now) {
            Thread t = reader;
            if (t == null || expired != null) {
                return;
            }
            if (now - lastProgress > idleNanos) {
                expired = "upstream body stalled for longer than idle_body_timeout";
            } else if (now - deadline > 0) {
                expired = "upstream request ran past max_request_duration";
            } else {
                return;
            }
            t.interrupt();
        }

        private void before() throws UpstreamTimeoutException {
            if (expired != null) {
                throw new UpstreamTimeoutException(expired);
            }
            reader = Thread.currentThread();
        }

        private int after(int n) throws UpstreamTimeoutException {
            reader = null;
            if (expired != null) {
                Thread.interrupted(); // clear the interrupt we caused
                throw new UpstreamTimeoutException(expired);
            }
            lastProgress = System.nanoTime();
            return n;
        }

        private IOException failed(IOException e) {
            reader = null;
            if (expired != null) {
                Thread.interrupted();
                return new UpstreamTimeoutException(expired);
            }
            return e;
        }

        @Override
        public int read() throws IOException {
            before();
            try {
                return after(super.read());
            } catch (IOException e) {
                throw failed(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            before();
            try {
                return after(super.read(b, off, len));
            } catch (IOException e) {
                throw failed(e);
            }
        }

        @Override
        public void close() throws IOException {
            active.remove(this);
            super.close();
        }
    }
}
