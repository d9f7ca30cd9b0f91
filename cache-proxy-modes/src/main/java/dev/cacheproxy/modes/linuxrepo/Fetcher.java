package dev.cacheproxy.modes.linuxrepo;

import dev.cacheproxy.core.blob.BlobFile;
import dev.cacheproxy.core.blob.BlobStore;
import dev.cacheproxy.core.blob.BlobWriter;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestAlgorithm;
import dev.cacheproxy.core.digest.DigestMismatchException;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.path.PercentEncoding;
import dev.cacheproxy.core.quota.StorageSpace;
import dev.cacheproxy.core.upstream.UpstreamClient;
import dev.cacheproxy.core.upstream.UpstreamRequest;
import dev.cacheproxy.core.upstream.UpstreamResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Fetches the metadata files of one refresh from <em>one</em> upstream (a generation never mixes
 * upstreams) straight into the blob store, verified on the way in. A file whose SHA-256 the root file
 * already states and that the store holds is taken from the store without a request (a client may have
 * fetched it by hash before). Every transfer stops at the refresh's deadline.
 *
 * <p>Admitted as a fill is ({@link StorageSpace}): a file is not written past {@code storage.min_free}, larger
 * than {@code storage.max_size}, or while the disk has just said it is full. The refresh then fails as any
 * transient failure does: the current generation goes on being served and the refresh is tried again later.
 */
public final class Fetcher {
    /** Larger metadata files are refused (the Go project's limit too). */
    static final long MAX_METADATA_BYTES = 512L * 1024 * 1024;
    /**
     * Only the type is kept. The upstream's validators would be wrong here: two generations published
     * within one second share a {@code Last-Modified}, and apt, which revalidates with
     * {@code If-Modified-Since} alone, would get a 304 for a changed InRelease. Without them, clients get
     * the content's own ETag (a digest) and never a false 304.
     */
    private static final List<String> KEPT_HEADERS = List.of("content-type");
    private static final int MAX_KEPT_VALUE = 1024;

    private final UpstreamClient upstream;
    private final String upstreamName;
    private final BlobStore store;
    private final StorageSpace space;
    private final InstantSource clock;
    private final Instant deadline;
    private long bytesFetched;

    public Fetcher(UpstreamClient upstream, String upstreamName, BlobStore store, StorageSpace space, InstantSource clock,
            Instant deadline) {
        this.upstream = upstream;
        this.upstreamName = upstreamName;
        this.store = store;
        this.space = space;
        this.clock = clock;
        this.deadline = deadline;
    }

    /** A metadata file in the store: its path below the mount, blob and the upstream headers worth keeping. */
    public record StoredFile(String path, BlobFile blob, Map<String, String> headers) {}

    public String upstreamName() {
        return upstreamName;
    }

    /** The content of a fetched file, to read once (the caller closes it). */
    public InputStream open(StoredFile file) throws IOException {
        return store.open(file.blob().digest());
    }

    /** Bytes downloaded so far by this refresh. */
    public long bytesFetched() {
        return bytesFetched;
    }

    /**
     * Fetches {@code path}; empty when the upstream says it is not there (404, 410, 401, 403: optional
     * files are simply absent). {@code expected} digests are checked before the blob is published.
     *
     * @throws RefreshException on a network failure, another status, a digest mismatch or the deadline
     */
    public Optional<StoredFile> fetch(String path, List<Digest> expected) throws RefreshException {
        for (Digest d : expected) {
            if (d.algorithm() == DigestAlgorithm.SHA256) {
                Optional<BlobFile> held = heldIntact(d);
                if (held.isPresent()) {
                    return Optional.of(new StoredFile(path, held.get(), Map.of()));
                }
            }
        }
        checkDeadline(path);
        UpstreamResult r = upstream.send(UpstreamRequest.get(encode(path), Headers.EMPTY));
        if (r instanceof UpstreamResult.Failed f) {
            throw RefreshException.transientFailure(upstreamName + ": " + path + ": " + f.detail());
        }
        try (UpstreamResult.Answered a = (UpstreamResult.Answered) r) {
            int s = a.status();
            if (s == 404 || s == 410 || s == 401 || s == 403) {
                return Optional.empty();
            }
            if (s != 200) {
                throw RefreshException.transientFailure(upstreamName + ": " + path + ": HTTP " + s);
            }
            return Optional.of(new StoredFile(path, store(path, a, expected), kept(a.headers())));
        }
    }

    /** The stored blob of {@code sha256} when it still matches its name; a damaged one is quarantined. */
    private Optional<BlobFile> heldIntact(Digest sha256) throws RefreshException {
        Optional<BlobFile> held = store.find(sha256);
        try {
            if (held.isPresent() && !store.verify(sha256)) {
                store.quarantine(sha256);
                return Optional.empty();
            }
        } catch (IOException e) {
            throw RefreshException.transientFailure("cannot read the stored " + sha256 + ": " + e);
        }
        return held;
    }

    private BlobFile store(String path, UpstreamResult.Answered a, List<Digest> expected) throws RefreshException {
        long declared = a.contentLength();
        if (declared > MAX_METADATA_BYTES) {
            throw RefreshException.transientFailure(path + ": " + declared + " bytes is more than metadata may be");
        }
        Optional<StorageSpace.Refusal> noRoom = space.refusal(declared);
        if (noRoom.isPresent()) {
            throw RefreshException.transientFailure(upstreamName + ": " + path + " not stored: " + noRoom.get().reason());
        }
        try (BlobWriter w = store.newWriter(expected); InputStream in = a.body()) {
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                total += n;
                if (total > MAX_METADATA_BYTES) {
                    throw RefreshException.transientFailure(path + ": more than " + MAX_METADATA_BYTES + " bytes");
                }
                if (total > space.largestStorable()) { // a body without a length
                    throw RefreshException.transientFailure(upstreamName + ": " + path + " not stored: "
                            + StorageSpace.Refusal.OVER_QUOTA.reason());
                }
                checkDeadline(path);
                w.write(ByteBuffer.wrap(buf, 0, n));
            }
            bytesFetched += total;
            if (declared >= 0 && total != declared) {
                throw RefreshException.transientFailure(path + ": got " + total + " of " + declared + " bytes");
            }
            return w.commit();
        } catch (DigestMismatchException e) {
            throw RefreshException.transientFailure(upstreamName + ": " + path
                    + " does not match the hash its root file states (changed upstream mid-refresh?): " + e.getMessage());
        } catch (IOException e) {
            boolean full = space.writeFailed(e); // when the disk is full, fills pass through for a while too
            throw RefreshException.transientFailure(upstreamName + ": " + path + ": "
                    + (full ? "not stored: " + StorageSpace.Refusal.DISK_FULL.reason() + " (" + e.getMessage() + ")"
                            : e.toString()));
        }
    }

    private void checkDeadline(String path) throws RefreshException {
        if (clock.instant().isAfter(deadline)) {
            throw RefreshException.transientFailure("refresh_timeout reached while fetching " + path);
        }
    }

    private static Map<String, String> kept(Headers headers) {
        Map<String, String> m = new TreeMap<>();
        for (String name : KEPT_HEADERS) {
            // replayed on every hit of the generation file: an oversized value is dropped, not kept
            headers.first(name).filter(v -> v.length() <= MAX_KEPT_VALUE).ifPresent(v -> m.put(name, v));
        }
        return m;
    }

    static String encode(String path) {
        StringBuilder sb = new StringBuilder(path.length() + 16);
        for (String segment : path.split("/", -1)) {
            if (!sb.isEmpty()) {
                sb.append('/');
            }
            PercentEncoding.appendSegment(sb, segment);
        }
        return sb.toString();
    }
}
