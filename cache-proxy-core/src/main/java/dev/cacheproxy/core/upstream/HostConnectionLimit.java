package dev.cacheproxy.core.upstream;

import dev.cacheproxy.core.http.Headers;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code max_conns_per_host}: at most that many requests of one instance in flight to one host (scheme, host and
 * port) at once, over whichever transport. A request holds its place from before it is sent until its body has
 * been read to the end, has failed or is closed; over HTTP/1.1 that is one connection each, as Go's
 * {@code MaxConnsPerHost} counts them. A request that finds every place taken waits for one, in arrival order, for
 * at most {@code header_timeout} (Go waits without a bound; a fill whose client has waited that long is better
 * answered 504 with the reason), then fails with {@link Busy}.
 */
final class HostConnectionLimit implements UpstreamTransport {
    private final UpstreamTransport wire;
    private final int perHost;
    private final Duration wait;
    private final ConcurrentHashMap<String, Semaphore> hosts = new ConcurrentHashMap<>();

    HostConnectionLimit(UpstreamTransport wire, int perHost, Duration wait) {
        this.wire = wire;
        this.perHost = perHost;
        this.wait = wait;
    }

    /** No place free for a request within {@code header_timeout}. */
    static final class Busy extends HttpTimeoutException {
        Busy(String message) {
            super(message);
        }
    }

    @Override
    public Answer exchange(URI uri, String method, Headers headers, byte[] body) throws IOException, InterruptedException {
        Semaphore places = hosts.computeIfAbsent(hostOf(uri), h -> new Semaphore(perHost, true));
        if (!places.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new Busy("max_conns_per_host (" + perHost + ") requests to it were in flight for all of header_timeout ("
                    + wait.toSeconds() + " s)");
        }
        Answer answer;
        try {
            answer = wire.exchange(uri, method, headers, body);
        } catch (IOException | InterruptedException | RuntimeException e) {
            places.release();
            throw e;
        }
        return new Answer(answer.status(), answer.headers(), new HoldingBody(answer.body(), places));
    }

    private static String hostOf(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        int port = uri.getPort() > 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        return scheme + "://" + host + ":" + port;
    }

    /** A response body that gives its request's place back once: at its end, on a failed read, or when closed. */
    private static final class HoldingBody extends FilterInputStream {
        private final Semaphore places;
        private final AtomicBoolean held = new AtomicBoolean(true);

        HoldingBody(InputStream in, Semaphore places) {
            super(in);
            this.places = places;
        }

        private void giveBack() {
            if (held.compareAndSet(true, false)) {
                places.release();
            }
        }

        @Override
        public int read() throws IOException {
            try {
                int b = super.read();
                if (b < 0) {
                    giveBack();
                }
                return b;
            } catch (IOException | RuntimeException e) {
                giveBack();
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                int n = super.read(b, off, len);
                if (n < 0) {
                    giveBack();
                }
                return n;
            } catch (IOException | RuntimeException e) {
                giveBack();
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } finally {
                giveBack();
            }
        }
    }
}
