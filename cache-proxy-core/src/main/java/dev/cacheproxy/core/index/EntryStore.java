package dev.cacheproxy.core.index;

import java.io.IOException;
import java.util.Optional;

/**
 * Where the index entries live, one small document per (instance, key): files under the storage
 * directory ({@link FileEntryStore}), or objects in the bucket that several nodes share. {@link EntryIndex}
 * serializes entries and keeps the hot cache in front; this is only bytes under a name. The name of an
 * entry is {@code ab/<sha256 of the key>.json} ({@link EntryIndex#nameOf}).
 *
 * <p>Every method may block on I/O: call them from virtual threads or the maintenance threads.
 */
public interface EntryStore {
    /** The stored document, or empty when there is none. */
    Optional<byte[]> read(String instance, String name) throws IOException;

    /** Stores the document atomically: a reader sees the old one or the new one, never a mix. */
    void write(String instance, String name, byte[] document) throws IOException;

    /** Removes the document; nothing happens when it is not there. */
    void delete(String instance, String name) throws IOException;

    /**
     * Visits every stored document of every instance (with {@code instance} non-null, of that one only)
     * until the visitor returns false. Documents written or deleted meanwhile may or may not be seen.
     */
    void forEach(String instance, Visitor visitor) throws IOException;

    /**
     * Records a later last use of the document (the size quota's order after a restart); a store that
     * cannot keep one does nothing.
     */
    void touch(String instance, String name, long millis) throws IOException;

    /**
     * Whether other nodes write here too: a key found absent may then be present a moment later, so the
     * index does not remember absences.
     */
    boolean shared();

    /** One stored document: its instance and name, its bytes, and its last use (or write) in epoch millis. */
    @FunctionalInterface
    interface Visitor {
        /** @return whether to go on */
        boolean visit(String instance, String name, byte[] document, long lastUsed);
    }
}
