package dev.cacheproxy.core.quota;

import dev.cacheproxy.core.blob.BlobStore;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a fill may store its body, asked before the first byte is written: not when the body is
 * larger than the whole quota (it would evict everything and still not fit), and not while the store's
 * file system has less than {@code storage.min_free} free once the body is written, or has just said
 * "no space left on device". Such a fill passes its body through to its client instead: whole and
 * correct, only not kept. Hits go on being served all the while, and storing resumes by itself once
 * there is room again.
 */
public final class StorageSpace {
    private static final Logger LOG = LoggerFactory.getLogger(StorageSpace.class);
    /** After ENOSPC, how long fills pass through before a store is tried again (if free space looks fine). */
    static final Duration AFTER_OUT_OF_SPACE = Duration.ofSeconds(30);

    private final BlobStore store;
    private final StorageLimits limits;
    private final InstantSource clock;
    private volatile Instant outOfSpaceAt;
    private volatile boolean full;

    public StorageSpace(BlobStore store, StorageLimits limits, InstantSource clock) {
        this.store = store;
        this.limits = limits;
        this.clock = clock;
    }

    /** No quota and no free-space floor: everything is stored (tests and tools). */
    public static StorageSpace unlimited(BlobStore store, InstantSource clock) {
        return new StorageSpace(store, StorageLimits.NONE, clock);
    }

    public StorageLimits limits() {
        return limits;
    }

    /** The kinds of refusal, as metric labels. */
    public enum Refusal {
        /** The body is larger than {@code storage.max_size}. */
        OVER_QUOTA("over_quota", "larger than storage.max_size"),
        /** Free space is below {@code storage.min_free}, or the disk said it is full. */
        DISK_FULL("disk_full", "the storage is full");

        private final String label;
        private final String reason;

        Refusal(String label, String reason) {
            this.label = label;
            this.reason = reason;
        }

        public String label() {
            return label;
        }

        /** Why a body is not stored, for logs and error details ("not stored: " + reason). */
        public String reason() {
            return reason;
        }
    }

    /**
     * The most bytes one body may have to be stored ({@code storage.max_size}; no bound without a quota): what a
     * body without a stated length is held to as it comes.
     */
    public long largestStorable() {
        return limits.hasQuota() ? limits.maxSize() : Long.MAX_VALUE;
    }

    /**
     * Why a body of {@code expectedLength} bytes (-1 when unknown) must not be stored now; empty when it
     * may. Asks the file system for its free space (one statfs).
     */
    public Optional<Refusal> refusal(long expectedLength) {
        if (limits.hasQuota() && expectedLength > limits.maxSize()) {
            return Optional.of(Refusal.OVER_QUOTA);
        }
        long free = freeBytes();
        boolean room = !full(free) && free - Math.max(expectedLength, 0) >= limits.minFree();
        return room ? Optional.empty() : Optional.of(Refusal.DISK_FULL);
    }

    /**
     * Whether fills are passing through for want of space right now (for readiness, the status page and
     * metrics); re-checks the free space.
     */
    public boolean full() {
        return full(freeBytes());
    }

    /** Free bytes on the store's file system, as the store reports them. */
    public long freeBytes() {
        try {
            return store.usableSpace();
        } catch (IOException e) {
            LOG.warn("cannot read the free space of the storage: {}", e.toString());
            return 0;
        }
    }

    /**
     * A write into the store failed: when the disk is full, fills pass through for a while; returns
     * whether that was the cause.
     */
    public boolean writeFailed(IOException e) {
        if (!isOutOfSpace(e)) {
            return false;
        }
        outOfSpaceAt = clock.instant();
        update(true, freeBytes());
        return true;
    }

    static boolean isOutOfSpace(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.toLowerCase(Locale.ROOT).contains("no space left on device")
                    || m.toLowerCase(Locale.ROOT).contains("disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }

    private boolean full(long free) {
        Instant since = outOfSpaceAt;
        boolean lacking = (since != null && since.plus(AFTER_OUT_OF_SPACE).isAfter(clock.instant()))
                || free < limits.minFree();
        update(lacking, free);
        return lacking;
    }

    /** Logs the changes of state, once each. */
    private synchronized void update(boolean lacking, long free) {
        if (lacking != full) {
            full = lacking;
            if (lacking) {
                LOG.warn("storage is full ({} bytes free, storage.min_free is {}): fills pass through without being stored",
                        free, limits.minFree());
            } else {
                LOG.info("storage has room again ({} bytes free): fills are stored again", free);
            }
        }
    }
}
