package dev.cacheproxy.core.quota;

/**
 * The storage limits of the YAML's {@code storage} block. {@code maxSize} 0 means no quota; eviction
 * starts above {@code highWatermark × maxSize} and stops at {@code lowWatermark × maxSize}, so that a
 * store at its quota is not evicted from on every fill. {@code minFree}: below this many free bytes
 * on the store's file system, fills pass their bodies through instead of storing them.
 */
public record StorageLimits(long maxSize, double highWatermark, double lowWatermark, long minFree) {
    public static final double DEFAULT_HIGH_WATERMARK = 0.95;
    public static final double DEFAULT_LOW_WATERMARK = 0.85;
    /** Room for the logs, the index and a fill or two of ordinary size on any disk worth caching on. */
    public static final long DEFAULT_MIN_FREE = 1L << 30;
    public static final StorageLimits NONE = new StorageLimits(0, DEFAULT_HIGH_WATERMARK, DEFAULT_LOW_WATERMARK, 0);

    public StorageLimits {
        if (maxSize < 0 || minFree < 0) {
            throw new IllegalArgumentException("sizes must not be negative");
        }
        if (!(lowWatermark > 0 && lowWatermark < highWatermark && highWatermark <= 1)) {
            throw new IllegalArgumentException("watermarks must satisfy 0 < low < high <= 1");
        }
    }

    public boolean hasQuota() {
        return maxSize > 0;
    }

    /** Stored bytes above which eviction starts. */
    public long highBytes() {
        return (long) (maxSize * highWatermark);
    }

    /** Stored bytes eviction brings the store down to. */
    public long lowBytes() {
        return (long) (maxSize * lowWatermark);
    }
}
