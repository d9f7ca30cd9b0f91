package dev.cacheproxy.core.blob;

import java.io.IOException;

/** Another process (or another store in this process) already holds the storage directory's LOCK. */
public final class StoreLockedException extends IOException {
    private static final long serialVersionUID = 1L;

    public StoreLockedException(String message) {
        super(message);
    }
}
