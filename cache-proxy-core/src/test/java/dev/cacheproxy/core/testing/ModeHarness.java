package dev.cacheproxy.core.testing;

import dev.cacheproxy.core.blob.FileBlobStore;
import dev.cacheproxy.core.fetch.FillLimiter;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.http.ProxyRequest;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.http.UploadBody;
import dev.cacheproxy.core.index.EntryUsage;
import dev.cacheproxy.core.index.FileEntryStore;
import dev.cacheproxy.core.index.HotEntries;
import dev.cacheproxy.core.mode.Mode;
import dev.cacheproxy.core.mode.ModeConfig;
import dev.cacheproxy.core.mode.ModeContext;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.mode.Route;
import dev.cacheproxy.core.path.RequestPath;
import dev.cacheproxy.core.quota.StorageLimits;
import dev.cacheproxy.core.quota.StorageSpace;
import dev.cacheproxy.core.upstream.UpstreamHealthRegistry;
import dev.cacheproxy.core.upstream.UpstreamTransport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A mode instance in process, as the server would build it but without a listener: a real
 * {@link ModeContext} over a blob store in a temporary directory, a {@link MutableClock},
 * {@link RecordingCacheEvents} and a {@link ManualScheduler} (background refreshes run when the test
 * says, on its thread). Requests go straight to the instance, routed once and answered by the
 * hit half or else the serving half, as the server does; what comes back is the response value the
 * server's writer would send ({@link Bodies} reads it as a client would).
 */
public final class ModeHarness implements AutoCloseable {
    /** {@code storage.min_free} of the harness: a test fills the disk with {@link #diskFree}. */
    public static final long MIN_FREE = 1 << 20;
    private final FileBlobStore store;
    /** The store as the instance sees it: its file system's free space is what the test says. */
    private final DiskOfSetSize disk;
    private final MutableClock clock = MutableClock.atEpochDay();
    private final RecordingCacheEvents events = new RecordingCacheEvents();
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final ModeContext context;
    private ModeInstance instance;

    public ModeHarness(Path dir) throws IOException {
        this.store = FileBlobStore.open(dir);
        this.disk = new DiskOfSetSize(store);
        this.context = new ModeContext(disk, new FileEntryStore(dir.resolve("index"), dir.resolve("tmp")),
                new FillLimiter(16, 16), clock, events, threads, dir.resolve("state"), name -> scheduler,
                new UpstreamHealthRegistry(), new EntryUsage(), new StorageSpace(disk,
                        new StorageLimits(0, StorageLimits.DEFAULT_HIGH_WATERMARK, StorageLimits.DEFAULT_LOW_WATERMARK,
                                MIN_FREE), clock), HotEntries.ofBytes(HotEntries.DEFAULT_BYTES), UpstreamTransport.JDK);
    }

    /** From now on the storage's file system has {@code bytes} free (below {@link #MIN_FREE}: the storage is full). */
    public void diskFree(long bytes) {
        disk.free = bytes;
    }

    private static final class DiskOfSetSize extends DelegatingBlobStore {
        volatile long free = Long.MAX_VALUE;

        DiskOfSetSize(FileBlobStore files) {
            super(files);
        }

        @Override
        public long usableSpace() {
            return free;
        }
    }

    /** Builds the instance {@code name} of {@code mode} from {@code block} (the mode's YAML block as maps). */
    public <C extends ModeConfig> ModeInstance start(Mode<C> mode, String name, Map<String, ?> block) {
        MapConfigBlock b = new MapConfigBlock("instances[0]." + mode.key(), block);
        C config = mode.parse(b);
        if (!b.problems().isEmpty()) {
            throw new IllegalArgumentException("the test's block has problems: " + b.problems());
        }
        instance = mode.create(name, config, context);
        return instance;
    }

    /** The instance {@link #start} built. */
    public ModeInstance instance() {
        return instance;
    }

    public MutableClock clock() {
        return clock;
    }

    public RecordingCacheEvents events() {
        return events;
    }

    /** The scheduler background work of the instance is planned on: run it by moving the clock. */
    public ManualScheduler scheduler() {
        return scheduler;
    }

    public FileBlobStore store() {
        return store;
    }

    /** A GET (or another method) of {@code pathBelowMount} as a client sends it (raw, percent-encoded). */
    public ProxyResponse request(String method, String pathBelowMount, String... headerPairs) {
        return request("", method, pathBelowMount, headerPairs);
    }

    /** A GET of {@code pathBelowMount} from the client machine at {@code clientAddress}. */
    public ProxyResponse getFrom(String clientAddress, String pathBelowMount, String... headerPairs) {
        return request(clientAddress, "GET", pathBelowMount, headerPairs);
    }

    private ProxyResponse request(String clientAddress, String method, String pathBelowMount, String... headerPairs) {
        // as the server does: route once, the hit half first, else the serving half
        Route route = route(clientAddress, method, pathBelowMount, headerPairs);
        return route.hit().orElseGet(route::serve);
    }

    /** The route of a GET, made once as the server makes it, for a test that asks it more than once. */
    public Route route(String pathBelowMount, String... headerPairs) {
        return route("", "GET", pathBelowMount, headerPairs);
    }

    private Route route(String clientAddress, String method, String pathBelowMount, String... headerPairs) {
        int q = pathBelowMount.indexOf('?');
        String path = q < 0 ? pathBelowMount : pathBelowMount.substring(0, q);
        String query = q < 0 ? "" : pathBelowMount.substring(q + 1);
        ProxyRequest r = new ProxyRequest(method, RequestPath.parse(path), query, Headers.of(headerPairs),
                "http://cache.example.org/mount", new byte[0], clientAddress);
        return instance.route(r);
    }

    /** A request whose body is streamed to the instance as {@code upload} (a hosted mode's PUT). */
    public ProxyResponse upload(String method, String pathBelowMount, UploadBody upload, String... headerPairs) {
        ProxyRequest r = new ProxyRequest(method, RequestPath.parse(pathBelowMount), "", Headers.of(headerPairs),
                "http://cache.example.org/mount", new byte[0], "", upload);
        Route route = instance.route(r);
        return route.hit().orElseGet(route::serve);
    }

    public ProxyResponse get(String pathBelowMount, String... headerPairs) {
        return request("GET", pathBelowMount, headerPairs);
    }

    @Override
    public void close() throws IOException {
        if (instance != null) {
            instance.close();
        }
        threads.shutdownNow();
        awaitFills(threads);
        store.close();
    }

    /** Waits for fills still writing (a body a test did not read to the end) before the temp directory is deleted. */
    private static void awaitFills(java.util.concurrent.ExecutorService threads) {
        try {
            threads.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
