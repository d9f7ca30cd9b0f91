package dev.cacheproxy.core.mode;

/** Where an instance is served: a path prefix on the main listener, or a listener of its own. */
public sealed interface Mount {
    /** Mounted at {@code path} (normalised: leading slash, no trailing slash, not "/"). */
    record Path(String path) implements Mount {}

    /** A dedicated listener on {@code hostPort} (OCI). */
    record Bind(String hostPort) implements Mount {}
}
