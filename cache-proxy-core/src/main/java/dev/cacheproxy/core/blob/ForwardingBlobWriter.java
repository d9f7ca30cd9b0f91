package dev.cacheproxy.core.blob;

import dev.cacheproxy.core.digest.Digest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A writer that hands every call to another: a store that adds a step to one of them (the S3 store
 * uploads after the local commit; tests hold a commit back or fill the disk) overrides that one.
 */
public class ForwardingBlobWriter implements BlobWriter {
    protected final BlobWriter delegate;

    public ForwardingBlobWriter(BlobWriter delegate) {
        this.delegate = delegate;
    }

    @Override
    public void write(ByteBuffer buffer) throws IOException {
        delegate.write(buffer);
    }

    @Override
    public long written() {
        return delegate.written();
    }

    @Override
    public Path tempFile() {
        return delegate.tempFile();
    }

    @Override
    public Digest verify() throws IOException {
        return delegate.verify();
    }

    @Override
    public BlobFile commit() throws IOException {
        return delegate.commit();
    }

    @Override
    public void abort() {
        delegate.abort();
    }
}
