package dev.cacheproxy.core.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.cacheproxy.core.events.CacheEvents;
import dev.cacheproxy.core.http.Headers;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** When the next upstream is asked: on failures always; on 404/410 only with GOPROXY list semantics. */
class FailoverTest {
    private final WireMockServer first = new WireMockServer(wireMockConfig().dynamicPort());
    private final WireMockServer second = new WireMockServer(wireMockConfig().dynamicPort());

    @BeforeEach
    void start() {
        first.start();
        second.start();
    }

    @AfterEach
    void stop() {
        first.stop();
        second.stop();
    }

    private UpstreamResult send(Failover failover) {
        UpstreamClient c = new UpstreamClient("t", List.of(URI.create(first.baseUrl() + "/"),
                URI.create(second.baseUrl() + "/")), TransportSettings.DEFAULTS, CacheEvents.NONE, UpstreamAuth.NONE,
                AllowedTargets.NONE, failover);
        UpstreamResult r = c.send(UpstreamRequest.get("m", Headers.EMPTY));
        if (r instanceof UpstreamResult.Answered a) {
            a.close();
        }
        return r;
    }

    private static int status(UpstreamResult r) {
        return assertInstanceOf(UpstreamResult.Answered.class, r).status();
    }

    @Test
    void notFound_isFinal_byDefault_butFallsThrough_forGoproxyLists() {
        first.stubFor(get(urlEqualTo("/m")).willReturn(aResponse().withStatus(404)));
        second.stubFor(get(urlEqualTo("/m")).willReturn(aResponse().withStatus(200).withBody("here")));
        assertEquals(404, status(send(Failover.ON_FAILURE)));
        assertEquals(200, status(send(Failover.ON_FAILURE_OR_MISSING)));
        first.stubFor(get(urlEqualTo("/m")).willReturn(aResponse().withStatus(410)));
        assertEquals(200, status(send(Failover.ON_FAILURE_OR_MISSING)));
    }

    @Test
    void allMissing_isMissing() {
        first.stubFor(get(urlEqualTo("/m")).willReturn(aResponse().withStatus(404)));
        second.stubFor(get(urlEqualTo("/m")).willReturn(aResponse().withStatus(410)));
        assertEquals(410, status(send(Failover.ON_FAILURE_OR_MISSING)));
    }

    @Test
    void aFailureThenMissing_isAFailure_neverANotFound() {
        first.stubFor(get(urlEqualTo("/m")).willReturn(aResponse().withStatus(503)));
        second.stubFor(get(urlEqualTo("/m")).willReturn(aResponse().withStatus(404)));
        assertInstanceOf(UpstreamResult.Failed.class, send(Failover.ON_FAILURE_OR_MISSING));
        assertEquals(404, status(send(Failover.ON_FAILURE)), "without list semantics the last answer stands");
    }
}
