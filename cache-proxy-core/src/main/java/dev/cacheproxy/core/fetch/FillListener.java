package dev.cacheproxy.core.fetch;

/**
 * Receives the progress of a fill. Called from the fill's thread (or at once from
 * {@link FillView#subscribe}); implementations hand the work to their own thread and return quickly.
 */
public interface FillListener {
    /** {@code available} bytes from offset 0 can now be read. */
    void onProgress(long available);

    /** The fill holds all {@code total} bytes, verified: everything can be read (it may not be durable yet). */
    void onComplete(long total);

    /** The fill failed; the bytes read so far must not be presented as a complete body. */
    void onAbort(String reason);
}
