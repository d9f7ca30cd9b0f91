package dev.cacheproxy.s3;

import dev.cacheproxy.core.blob.BlobFile;
import dev.cacheproxy.core.blob.BlobStore;
import dev.cacheproxy.core.blob.BlobWriter;
import dev.cacheproxy.core.blob.FileBlobStore;
import dev.cacheproxy.core.blob.ForwardingBlobWriter;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestMismatchException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blobs in an S3-compatible bucket ({@code <prefix>blobs/sha256/<hex>}) that several nodes share, with a
 * bounded local disk tier in front (a {@link FileBlobStore} of this node's): a hit is served from a local
 * file, zero-copy, exactly as with the file backend.
 *
 * <ul>
 *   <li>A commit publishes locally, then uploads (skipped when the bucket has the blob already: content
 *       addressed, and every download is verified, so a damaged object is found and replaced then).</li>
 *   <li>{@link #find} on a local miss downloads the object into the local tier, one download per digest
 *       at a time (callers of the same digest wait for it), verified against the digest it is named by;
 *       an object that does not match is deleted from the bucket and reported missing.</li>
 *   <li>The local tier is trimmed to {@code local_max_size}, least recently used copies first (the bucket
 *       keeps them); a copy used in the last seconds is spared.</li>
 *   <li>{@link #stats} counts the bucket (listed once at start, a request per thousand blobs, then kept up
 *       to date by this node's own writes; other nodes' writes show after a restart).</li>
 * </ul>
 */
public final class S3BlobStore implements BlobStore {
    private static final Logger LOG = LoggerFactory.getLogger(S3BlobStore.class);
    /** A local copy used this recently may be opening for a response: not dropped. */
    static final Duration LOCAL_IN_USE = Duration.ofSeconds(10);

    private final S3Objects s3;
    private final String blobs;
    private final FileBlobStore local;
    private final long localMaxSize;
    private final Duration localInUse;
    private final SingleFlight<Digest, Optional<BlobFile>> downloads = new SingleFlight<>();
    private final SingleFlight<Digest, Boolean> uploads = new SingleFlight<>();
    private final Map<Digest, Long> localUse = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong objects = new AtomicLong();

    private S3BlobStore(S3Objects s3, String prefix, FileBlobStore local, long localMaxSize, Duration localInUse) {
        this.localInUse = localInUse;
        this.s3 = s3;
        this.blobs = prefix + "blobs/sha256/";
        this.local = local;
        this.localMaxSize = localMaxSize;
    }

    /**
     * The store over {@code s3} with its local tier in {@code localDir} (locked, like any file store: one
     * process per directory). Counts the bucket's blobs first: a bucket that cannot be listed (wrong
     * credentials, no such bucket) fails here, at start-up, not at the first miss.
     */
    public static S3BlobStore open(S3Objects s3, String prefix, Path localDir, long localMaxSize) throws IOException {
        return open(s3, prefix, localDir, localMaxSize, LOCAL_IN_USE);
    }

    static S3BlobStore open(S3Objects s3, String prefix, Path localDir, long localMaxSize, Duration localInUse)
            throws IOException {
        S3BlobStore store = new S3BlobStore(s3, prefix, FileBlobStore.open(localDir), localMaxSize, localInUse);
        try {
            store.count();
        } catch (IOException e) {
            store.local.close();
            throw e;
        }
        return store;
    }

    private void count() throws IOException {
        s3.list(blobs, o -> {
            bytes.addAndGet(o.size());
            objects.incrementAndGet();
            return true;
        });
    }

    private String keyOf(Digest d) {
        return blobs + d.hex();
    }

    @Override
    public BlobWriter newWriter(List<Digest> expected) throws IOException {
        return new ForwardingBlobWriter(local.newWriter(expected)) {
            @Override
            public BlobFile commit() throws IOException {
                BlobFile f = delegate.commit();
                upload(f);
                used(f.digest());
                trimLocal();
                return f;
            }
        };
    }

    private void upload(BlobFile f) throws IOException {
        String key = keyOf(f.digest());
        uploads.run(f.digest(), () -> {
            if (s3.head(key).isPresent()) {
                return false;
            }
            s3.put(key, f.path());
            bytes.addAndGet(f.size());
            objects.incrementAndGet();
            return true;
        });
    }

    @Override
    public Optional<BlobFile> find(Digest sha256) {
        Optional<BlobFile> near = local.find(sha256);
        if (near.isPresent()) {
            used(sha256);
            return near;
        }
        try {
            return downloads.run(sha256, () -> download(sha256));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Optional<BlobFile> findNearby(Digest sha256) {
        Optional<BlobFile> near = local.find(sha256);
        near.ifPresent(b -> used(sha256));
        return near;
    }

    /** Copies the object into the local tier, verified against its name. */
    private Optional<BlobFile> download(Digest sha256) throws IOException {
        String key = keyOf(sha256);
        try (InputStream in = s3.get(key); BlobWriter w = local.newWriter(List.of(sha256))) {
            byte[] buf = new byte[256 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                w.write(ByteBuffer.wrap(buf, 0, n));
            }
            BlobFile f = w.commit();
            used(sha256);
            trimLocal();
            return Optional.of(f);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (DigestMismatchException e) {
            LOG.warn("object {} in the bucket does not match its name; deleting it: {}", key, e.getMessage());
            deleteQuietly(sha256);
            return Optional.empty();
        }
    }

    private void used(Digest d) {
        localUse.put(d, System.currentTimeMillis());
    }

    /** Deletes local copies, least recently used first, until the tier is within its size. */
    private void trimLocal() {
        if (local.stats().bytes() <= localMaxSize) {
            return;
        }
        synchronized (local) {
            List<BlobFile> copies = new ArrayList<>();
            try {
                local.forEach(copies::add);
            } catch (IOException | UncheckedIOException e) {
                LOG.warn("could not list the local tier: {}", e.toString());
                return;
            }
            long spareAfter = System.currentTimeMillis() - localInUse.toMillis();
            copies.sort(Comparator.comparingLong(b -> localUse.getOrDefault(b.digest(), 0L)));
            for (BlobFile b : copies) {
                if (local.stats().bytes() <= localMaxSize) {
                    return;
                }
                if (localUse.getOrDefault(b.digest(), 0L) >= spareAfter) {
                    continue;
                }
                try {
                    local.delete(b.digest());
                    localUse.remove(b.digest());
                } catch (IOException e) {
                    LOG.warn("could not drop the local copy of {}: {}", b.digest(), e.toString());
                }
            }
        }
    }

    @Override
    public InputStream open(Digest sha256) throws IOException {
        if (find(sha256).isEmpty()) {
            throw new NoSuchFileException(keyOf(sha256));
        }
        return local.open(sha256);
    }

    @Override
    public Optional<Instant> storedAt(Digest sha256) throws IOException {
        return s3.head(keyOf(sha256)).map(S3Objects.ObjectInfo::lastModified);
    }

    @Override
    public boolean verify(Digest sha256) throws IOException {
        try {
            return find(sha256).isPresent() && local.verify(sha256);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** The local copy goes to the local quarantine; the bucket's object is deleted, so nobody serves it again. */
    @Override
    public void quarantine(Digest sha256) throws IOException {
        local.quarantine(sha256);
        localUse.remove(sha256);
        deleteRemote(sha256);
    }

    @Override
    public int purgeQuarantine(Instant before) throws IOException {
        return local.purgeQuarantine(before);
    }

    @Override
    public boolean delete(Digest sha256) throws IOException {
        boolean remote = deleteRemote(sha256);
        boolean near = local.delete(sha256);
        localUse.remove(sha256);
        return remote || near;
    }

    private boolean deleteRemote(Digest sha256) throws IOException {
        Optional<S3Objects.ObjectInfo> o = s3.head(keyOf(sha256));
        if (o.isEmpty()) {
            return false;
        }
        s3.delete(keyOf(sha256));
        bytes.addAndGet(-o.get().size());
        objects.decrementAndGet();
        return true;
    }

    private void deleteQuietly(Digest sha256) {
        try {
            deleteRemote(sha256);
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", keyOf(sha256), e.getMessage());
        }
    }

    /** Every blob in the bucket; the path is where its local copy is or would be. */
    @Override
    public void forEach(Consumer<BlobFile> visitor) throws IOException {
        s3.list(blobs, o -> {
            try {
                Digest d = Digest.sha256(o.key().substring(blobs.length()));
                visitor.accept(new BlobFile(d, local.pathOf(d), o.size()));
            } catch (IllegalArgumentException e) {
                // not a blob name: skip
            }
            return true;
        });
    }

    @Override
    public long usableSpace() throws IOException {
        return local.usableSpace();
    }

    @Override
    public StoreStats stats() {
        return new StoreStats(bytes.get(), objects.get());
    }

    /** The local tier's size, for the status page and metrics. */
    public StoreStats localStats() {
        return local.stats();
    }

    /**
     * This node's local copies, for the background scrub: a damaged copy is quarantined locally and the
     * next {@link #find} downloads a verified one again.
     */
    public BlobStore localTier() {
        return local;
    }

    @Override
    public void close() throws IOException {
        try {
            local.close();
        } finally {
            s3.close();
        }
    }
}
