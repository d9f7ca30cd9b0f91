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

    /**
     * Whether this listener reads the body's bytes past {@link FillView#fileEnd} from the relay (and
     * reports how far it is with {@link FillView#readerAt}): a fill whose disk filled up waits for such
     * readers, and for no others.
     */
    default boolean readsRelay() {
        return false;
    }
}
