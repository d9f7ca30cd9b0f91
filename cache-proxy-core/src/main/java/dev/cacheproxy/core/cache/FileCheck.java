package dev.cacheproxy.core.cache;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A check of a fill's complete body before it is published, for verification that needs the whole
 * file rather than a streaming digest (a Go module zip's {@code h1:} directory hash, an apk's control
 * checksum). A refusal is treated as a digest mismatch: nothing is stored, the client's download is cut.
 */
@FunctionalInterface
public interface FileCheck {
    FileCheck NONE = file -> Optional.empty();

    /** Why the complete body in {@code file} (read-only, not yet published) cannot be stored, or empty. */
    Optional<String> refuses(Path file) throws IOException;
}
