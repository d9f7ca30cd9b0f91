package dev.cacheproxy.core.path;

/** A request path that is not safe or not well formed; the server answers 400 with the message. */
public final class InvalidPathException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidPathException(String message) {
        super(message);
    }
}
