package dev.cacheproxy.core.maintenance;

import dev.cacheproxy.core.blob.BlobFile;
import dev.cacheproxy.core.blob.BlobStore;
import dev.cacheproxy.core.events.CacheEvents;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background scrub ({@code storage.scrub}): re-hashes every stored blob, at most
 * {@code bytesPerSecond} on average so that it never competes with clients for the disk, and
 * quarantines any whose content no longer has the SHA-256 it is named by (bit rot, a stray write, an
 * operator's mistake). The size check on every hit catches truncation at once; this catches the
 * damage a size check cannot see, before a client gets it.
 */
public final class BlobScrubber {
    private static final Logger LOG = LoggerFactory.getLogger(BlobScrubber.class);

    /** How a pass ended: blobs read, bytes read, blobs quarantined. */
    public record Result(long checked, long bytes, long damaged) {}

    /** Waits between blobs; a test passes one that does not sleep. */
    @FunctionalInterface
    public interface Pacer {
        void pause(long millis) throws InterruptedException;
    }

    private final BlobStore store;
    private final CacheEvents events;
    private final long bytesPerSecond;
    private final Pacer pacer;

    public BlobScrubber(BlobStore store, CacheEvents events, long bytesPerSecond, Pacer pacer) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("scrub rate must be positive");
        }
        this.store = store;
        this.events = events;
        this.bytesPerSecond = bytesPerSecond;
        this.pacer = pacer;
    }

    /** One pass over every blob, walked lazily (no list of them is held). Blocks for as long as the rate needs. */
    public Result pass() throws IOException, InterruptedException {
        long[] totals = new long[3]; // checked, bytes, damaged
        try {
            store.forEach(b -> {
                try {
                    totals[2] += check(b) ? 0 : 1;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (InterruptedException e) {
                    throw new Stopped(e);
                }
                totals[0]++;
                totals[1] += b.size();
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (Stopped e) {
            Thread.currentThread().interrupt();
            throw (InterruptedException) e.getCause();
        }
        if (totals[2] > 0 || LOG.isDebugEnabled()) {
            LOG.info("scrub: {} blob(s), {} bytes checked, {} quarantined", totals[0], totals[1], totals[2]);
        }
        return new Result(totals[0], totals[1], totals[2]);
    }

    /** Re-hashes one blob, then waits out its share of the rate; false when it was quarantined. */
    private boolean check(BlobFile b) throws IOException, InterruptedException {
        long started = System.nanoTime();
        boolean intact = true;
        if (!store.verify(b.digest()) && store.find(b.digest()).isPresent()) {
            // still there (not deleted by GC meanwhile), and not what its name says
            LOG.warn("scrub: blob {} does not match its name", b.digest());
            store.quarantine(b.digest());
            events.blobDamaged("scrub");
            intact = false;
        }
        long budgetMillis = b.size() * 1000 / bytesPerSecond;
        long spentMillis = (System.nanoTime() - started) / 1_000_000;
        if (budgetMillis > spentMillis) {
            pacer.pause(budgetMillis - spentMillis);
        }
        return intact;
    }

    private static final class Stopped extends RuntimeException {
        Stopped(InterruptedException cause) {
            super(cause);
        }
    }
}
