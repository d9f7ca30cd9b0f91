package dev.cacheproxy.core.testing;

import dev.cacheproxy.core.blob.BlobFile;
import dev.cacheproxy.core.blob.BlobStore;
import dev.cacheproxy.core.blob.BlobWriter;
import dev.cacheproxy.core.blob.ForwardingBlobWriter;
import dev.cacheproxy.core.digest.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A blob store that hands every call to another: tests override the one call whose behaviour they
 * change (a commit held back, a disk that fills up) and keep the rest real.
 */
public class DelegatingBlobStore implements BlobStore {
    protected final BlobStore delegate;

    public DelegatingBlobStore(BlobStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public BlobWriter newWriter(List<Digest> expected) throws IOException {
        return delegate.newWriter(expected);
    }

    @Override
    public Optional<BlobFile> find(Digest sha256) {
        return delegate.find(sha256);
    }

    @Override
    public Optional<BlobFile> findNearby(Digest sha256) {
        return delegate.findNearby(sha256);
    }

    @Override
    public InputStream open(Digest sha256) throws IOException {
        return delegate.open(sha256);
    }

    @Override
    public Optional<Instant> storedAt(Digest sha256) throws IOException {
        return delegate.storedAt(sha256);
    }

    @Override
    public boolean verify(Digest sha256) throws IOException {
        return delegate.verify(sha256);
    }

    @Override
    public void quarantine(Digest sha256) throws IOException {
        delegate.quarantine(sha256);
    }

    @Override
    public int purgeQuarantine(Instant before) throws IOException {
        return delegate.purgeQuarantine(before);
    }

    @Override
    public boolean delete(Digest sha256) throws IOException {
        return delegate.delete(sha256);
    }

    @Override
    public void forEach(Consumer<BlobFile> visitor) throws IOException {
        delegate.forEach(visitor);
    }

    @Override
    public long usableSpace() throws IOException {
        return delegate.usableSpace();
    }

    @Override
    public StoreStats stats() {
        return delegate.stats();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }

    /** A writer that hands every call to another; override what the test changes. */
    public static class DelegatingWriter extends ForwardingBlobWriter {
        public DelegatingWriter(BlobWriter delegate) {
            super(delegate);
        }
    }
}
