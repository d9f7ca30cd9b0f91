package dev.cacheproxy.core.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import java.util.Arrays;

/**
 * The ways an upstream goes wrong, as scripted answers for the WireMock upstream of a mode test. Each
 * names what a real upstream does, so a contract reads as the incident it guards against.
 */
public final class UpstreamFaults {
    private UpstreamFaults() {}

    /** A 5xx, with a body a client must never mistake for the artifact. */
    public static ResponseDefinitionBuilder serverError(int status) {
        return aResponse().withStatus(status).withBody("upstream failure " + status);
    }

    /** Rate limited: 429 with {@code Retry-After}. */
    public static ResponseDefinitionBuilder tooManyRequests(int retryAfterSeconds) {
        return aResponse().withStatus(429).withHeader("Retry-After", Integer.toString(retryAfterSeconds))
                .withBody("slow down");
    }

    /** The connection dies in the middle of the body (a broken chunk, then a close). */
    public static ResponseDefinitionBuilder resetMidBody() {
        return aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK);
    }

    /**
     * A short body: {@code Content-Length} promises all of {@code body}, the connection closes after
     * half of it (a load balancer's idle cut, a crashed origin).
     */
    public static ResponseDefinitionBuilder shortBody(byte[] body) {
        return aResponse().withHeader("Content-Length", Integer.toString(body.length))
                .withBody(Arrays.copyOf(body, Math.max(1, body.length / 2)));
    }

    /** The whole body, dribbled in {@code chunks} pieces over {@code totalMillis}: slow, yet complete. */
    public static ResponseDefinitionBuilder slowBody(byte[] body, int chunks, int totalMillis) {
        return aResponse().withBody(body).withChunkedDribbleDelay(chunks, totalMillis);
    }
}
