package dev.cacheproxy.core.digest;

import java.io.IOException;

/** The bytes received do not match the digest the upstream (or an index) promised. Nothing is stored. */
public final class DigestMismatchException extends IOException {
    private static final long serialVersionUID = 1L;

    public DigestMismatchException(Digest expected, Digest actual) {
        super("digest mismatch: expected " + expected + ", got " + actual);
    }
}
