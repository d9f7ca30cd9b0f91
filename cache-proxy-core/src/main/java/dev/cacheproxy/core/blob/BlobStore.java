package dev.cacheproxy.core.blob;

import dev.cacheproxy.core.digest.Digest;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Content-addressed storage for cached bodies, shared by every instance.
 *
 * <p>Contract (checked by {@code BlobStoreContract} in the core test-jar for every implementation):
 * a blob becomes visible only through {@link BlobWriter#commit}, atomically and after its bytes are
 * durable; an aborted or failed write leaves nothing visible; two writers of the same content publish
 * one blob, and a commit of content already present replaces the stored file with the freshly verified
 * one (so a damaged copy never outlives a good one); a missing digest is {@code Optional.empty()}, never an exception. Every method may block
 * on disk I/O: call them from virtual threads, never from a Netty event loop.
 */
public interface BlobStore extends Closeable {
    /**
     * Opens a writer whose bytes are verified against {@code expected} (any algorithms) on commit.
     * The writer's temp file can be read by followers while it grows.
     */
    BlobWriter newWriter(List<Digest> expected) throws IOException;

    /**
     * The published blob with this SHA-256 digest, if present. A store with a remote tier fetches it
     * into its local disk first (blocking for the transfer).
     */
    Optional<BlobFile> find(Digest sha256);

    /**
     * The published blob if it is on this node's disk already, without asking any remote tier: one
     * stat, safe on an event loop (the hit path). Empty means "ask {@link #find}", not "absent".
     */
    default Optional<BlobFile> findNearby(Digest sha256) {
        return find(sha256);
    }

    /**
     * The content of a published blob, to read once (the caller closes it). Modes read blobs through
     * this, never through {@link BlobFile#path()}, so that a store other than files stays possible.
     *
     * @throws java.nio.file.NoSuchFileException when the blob is not (or no longer) there
     */
    InputStream open(Digest sha256) throws IOException;

    /**
     * When the blob was last written or re-stored (a commit of content already present counts):
     * garbage collection spares blobs younger than its grace period, which covers a fill that has
     * committed its blob but not yet written the entry that references it.
     */
    Optional<Instant> storedAt(Digest sha256) throws IOException;

    /**
     * Reads the whole blob again and checks that its content still has the SHA-256 it is named by.
     * False when it does not, or when the blob is missing. Blocks for a full read.
     */
    boolean verify(Digest sha256) throws IOException;

    /**
     * Takes a blob that no longer matches its name or its entry (damaged on disk) out of service: it is
     * moved aside for inspection and every later {@link #find} misses, so it is fetched again. Does
     * nothing when the blob is missing.
     */
    void quarantine(Digest sha256) throws IOException;

    /**
     * Deletes quarantined copies put aside before {@code before} (kept until then for an operator to
     * inspect); returns how many. A store without a quarantine has nothing to delete.
     */
    default int purgeQuarantine(Instant before) throws IOException {
        return 0;
    }

    /** Deletes a published blob; returns whether it existed. */
    boolean delete(Digest sha256) throws IOException;

    /** Visits every published blob (for garbage collection and accounting). */
    void forEach(Consumer<BlobFile> visitor) throws IOException;

    /**
     * Bytes a writer may still add before the store's disk is full (the file system's usable space);
     * a store without a disk of its own answers {@link Long#MAX_VALUE}. Cheap: asked before every fill.
     */
    default long usableSpace() throws IOException {
        return Long.MAX_VALUE;
    }

    /** Total bytes and number of published blobs, kept up to date without a scan per call. */
    StoreStats stats();

    record StoreStats(long bytes, long objects) {}
}
