package dev.cacheproxy.core.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.events.CacheEvents;
import dev.cacheproxy.core.http.Headers;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code max_conns_per_host}: requests in flight per host, held from the send to the body's end. */
class HostConnectionLimitTest {
    private static final URI A = URI.create("https://a.example/x");
    private static final URI B = URI.create("https://b.example/x");

    /** Answers every request at once with a small body; counts the requests; fails those to "/broken". */
    private static final class FakeWire implements UpstreamTransport {
        final AtomicInteger sent = new AtomicInteger();

        @Override
        public Answer exchange(URI uri, String method, Headers headers, byte[] body) throws IOException {
            sent.incrementAndGet();
            if (uri.getPath().equals("/broken")) {
                throw new IOException("connection reset");
            }
            return new Answer(200, Headers.EMPTY, new ByteArrayInputStream("body".getBytes(StandardCharsets.UTF_8)));
        }
    }

    private final FakeWire wire = new FakeWire();
    private final HostConnectionLimit limit = new HostConnectionLimit(wire, 2, Duration.ofMillis(200));

    private InputStream send(URI uri) throws Exception {
        return limit.exchange(uri, "GET", Headers.EMPTY, new byte[0]).body();
    }

    @Test
    void aThirdRequestToTheSameHostWaits_thenFailsAsBusyNamingTheLimit() throws Exception {
        send(A);
        send(A);
        long start = System.nanoTime();
        HostConnectionLimit.Busy busy = assertThrows(HostConnectionLimit.Busy.class, () -> send(A));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(190), "it waited for header_timeout");
        assertTrue(busy.getMessage().contains("max_conns_per_host (2)"), busy.getMessage());
        assertEquals(2, wire.sent.get(), "the third was never sent");
        send(B); // another host has places of its own
    }

    @Test
    void aPlaceComesBackWhenTheBodyIsClosed_orReadToItsEnd_once() throws Exception {
        InputStream first = send(A);
        InputStream second = send(A);
        first.close();
        first.close(); // twice: still one place
        InputStream third = send(A);
        assertThrows(HostConnectionLimit.Busy.class, () -> send(A));
        assertEquals("body", new String(second.readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(-1, second.read());
        send(A); // the place the body's end gave back
        assertThrows(HostConnectionLimit.Busy.class, () -> send(A));
        third.close();
    }

    @Test
    void aRequestThatFailsGivesItsPlaceBack() throws Exception {
        URI broken = URI.create("https://a.example/broken");
        for (int i = 0; i < 3; i++) {
            assertThrows(IOException.class, () -> send(broken));
        }
        send(A);
        send(A);
    }

    @Test
    void theDefaultPortAndTheSameHostSpelledOtherwiseAreOneHost() throws Exception {
        send(URI.create("https://A.example/x"));
        send(URI.create("https://a.example:443/y"));
        assertThrows(HostConnectionLimit.Busy.class, () -> send(URI.create("https://a.example/z")));
        send(URI.create("http://a.example/x")); // another scheme is another connection
    }

    @Test
    void aWaitingRequestTakesThePlaceFreedWithinTheTimeout() throws Exception {
        HostConnectionLimit patient = new HostConnectionLimit(wire, 1, Duration.ofSeconds(5));
        InputStream held = patient.exchange(A, "GET", Headers.EMPTY, new byte[0]).body();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Integer> waiting = threads.submit(() -> patient.exchange(A, "GET", Headers.EMPTY, new byte[0]).status());
            Thread.sleep(100);
            assertFalse(waiting.isDone(), "it waits while the place is held");
            held.close();
            assertEquals(200, waiting.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void throughTheClient_aBusyHostIsA504TimeoutThatLeavesTheBreakerAlone() throws Exception {
        TransportSettings one = new TransportSettings(Optional.empty(), "t", Duration.ofSeconds(1), Duration.ofMillis(100),
                Duration.ofSeconds(5), Duration.ofSeconds(30), HealthSettings.DEFAULTS, 10, 1);
        UpstreamHealthRegistry registry = new UpstreamHealthRegistry();
        UpstreamClient client = new UpstreamClient("files", List.of(URI.create("https://a.example/")), one,
                CacheEvents.NONE, UpstreamAuth.NONE, AllowedTargets.NONE, Failover.ON_FAILURE, registry, s -> wire);
        UpstreamResult first = client.send(UpstreamRequest.get("f", Headers.EMPTY));
        assertInstanceOf(UpstreamResult.Answered.class, first);
        for (int i = 0; i < 12; i++) {
            UpstreamResult.Failed busy = assertInstanceOf(UpstreamResult.Failed.class,
                    client.send(UpstreamRequest.get("f", Headers.EMPTY)));
            assertTrue(busy.timeout(), "answered as a timeout (504)");
            assertTrue(busy.detail().contains("a.example") && busy.detail().contains("max_conns_per_host (1)"), busy.detail());
        }
        assertEquals(UpstreamHealth.State.CLOSED, client.health().get(0).state(), "our own limit is not the upstream failing");
        ((UpstreamResult.Answered) first).close();
        assertInstanceOf(UpstreamResult.Answered.class, client.send(UpstreamRequest.get("f", Headers.EMPTY)));
    }
}
