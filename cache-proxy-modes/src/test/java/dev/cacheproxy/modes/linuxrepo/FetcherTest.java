package dev.cacheproxy.modes.linuxrepo;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.cacheproxy.core.blob.FileBlobStore;
import dev.cacheproxy.core.events.CacheEvents;
import dev.cacheproxy.core.quota.StorageLimits;
import dev.cacheproxy.core.quota.StorageSpace;
import dev.cacheproxy.core.upstream.TransportSettings;
import dev.cacheproxy.core.upstream.UpstreamClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A refresh's metadata files are admitted to the store as fills are: never past the free-space floor or the quota. */
class FetcherTest {
    @TempDir
    Path dir;

    private final WireMockServer up = new WireMockServer(wireMockConfig().dynamicPort());
    private FileBlobStore store;
    private UpstreamClient client;

    @BeforeEach
    void start() throws Exception {
        up.start();
        up.stubFor(get(urlEqualTo("/repo/dists/stable/Release")).willReturn(aResponse().withBody("Suite: stable\n")));
        store = FileBlobStore.open(dir.resolve("blobs"));
        client = new UpstreamClient("deb", List.of(URI.create(up.baseUrl() + "/repo/")), TransportSettings.DEFAULTS,
                CacheEvents.NONE);
    }

    @AfterEach
    void stop() {
        up.stop();
    }

    @Test
    void withRoom_theFileIsStored() throws Exception {
        Fetcher f = fetcher(StorageLimits.NONE);
        assertTrue(f.fetch("dists/stable/Release", List.of()).isPresent());
        assertTrue(storedFiles() > 0);
    }

    @Test
    void belowTheFreeSpaceFloor_theRefreshFails_andNothingIsWritten() throws Exception {
        Fetcher f = fetcher(new StorageLimits(0, StorageLimits.DEFAULT_HIGH_WATERMARK, StorageLimits.DEFAULT_LOW_WATERMARK,
                Long.MAX_VALUE / 2));
        RefreshException e = assertThrows(RefreshException.class, () -> f.fetch("dists/stable/Release", List.of()));
        assertTrue(e.getMessage().contains("the storage is full"), e.getMessage());
        assertTrue(storedFiles() == 0, "no blob written");
    }

    @Test
    void largerThanTheQuota_theRefreshFails_withOrWithoutAContentLength() {
        up.stubFor(get(urlEqualTo("/repo/dists/sized/Release")).willReturn(aResponse().withBody("Suite: sized\n")
                .withHeader("Content-Length", "13")));
        Fetcher sized = fetcher(new StorageLimits(4, StorageLimits.DEFAULT_HIGH_WATERMARK, StorageLimits.DEFAULT_LOW_WATERMARK, 0));
        assertTrue(assertThrows(RefreshException.class, () -> sized.fetch("dists/sized/Release", List.of())).getMessage()
                .contains("storage.max_size"));
        Fetcher f = fetcher(new StorageLimits(4, StorageLimits.DEFAULT_HIGH_WATERMARK, StorageLimits.DEFAULT_LOW_WATERMARK, 0));
        RefreshException e = assertThrows(RefreshException.class, () -> f.fetch("dists/stable/Release", List.of()));
        assertTrue(e.getMessage().contains("storage.max_size"), e.getMessage());
    }

    private Fetcher fetcher(StorageLimits limits) {
        return new Fetcher(client, "up", store, new StorageSpace(store, limits, Clock.systemUTC()), Clock.systemUTC(),
                Instant.now().plusSeconds(60));
    }

    private long storedFiles() throws Exception {
        try (Stream<Path> s = Files.walk(dir.resolve("blobs"))) {
            return s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().matches("[0-9a-f]{64}")).count();
        }
    }
}
