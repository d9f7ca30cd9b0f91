package dev.cacheproxy.core.blob;

import dev.cacheproxy.core.digest.Digest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * One in-progress blob. Exactly one thread writes; followers may read {@link #tempFile()} up to
 * {@link #written()} bytes at any time. Ends in {@link #commit()} or {@link #abort()}.
 */
public interface BlobWriter extends AutoCloseable {
    /** Appends all remaining bytes of {@code buffer}. */
    void write(ByteBuffer buffer) throws IOException;

    /** Bytes written so far (readable by followers from the temp file). */
    long written();

    /** The temp file inside the store (same file system as published blobs). */
    Path tempFile();

    /**
     * Checks the bytes written against the expected digests and returns their SHA-256; writes end here.
     * The temp file then holds a verified body that may be served, though it is not durable yet. On a
     * mismatch ({@link dev.cacheproxy.core.digest.DigestMismatchException}) the temp file is deleted.
     * Idempotent.
     */
    Digest verify() throws IOException;

    /**
     * Verifies the expected digests (unless {@link #verify} did), makes the bytes durable (fsync) and
     * publishes the blob atomically. On a digest mismatch ({@link dev.cacheproxy.core.digest.DigestMismatchException})
     * or any failure, nothing is published and the temp file is deleted.
     */
    BlobFile commit() throws IOException;

    /** Discards the temp file. Idempotent; a no-op after a commit. */
    void abort();

    @Override
    default void close() {
        abort();
    }
}
