package dev.cacheproxy.modes.linuxrepo;

/**
 * Why a refresh could not build a generation. {@link #notFound} means the root's required metadata is
 * gone upstream (404/410): repeated long enough, the root is removed; anything else is transient.
 */
public final class RefreshException extends Exception {
    private final boolean notFound;

    private RefreshException(String message, boolean notFound) {
        super(message);
        this.notFound = notFound;
    }

    public static RefreshException notFound(String message) {
        return new RefreshException(message, true);
    }

    public static RefreshException transientFailure(String message) {
        return new RefreshException(message, false);
    }

    public boolean notFound() {
        return notFound;
    }
}
