package dev.cacheproxy.core.blob;

import dev.cacheproxy.core.digest.Digest;
import java.nio.file.Path;

/**
 * A complete, published blob: its SHA-256 address, the file that holds it and its size in bytes.
 *
 * @param fileKey the file's identity (device and inode) as the look-up that found it saw it, or null when
 *     unknown: a server keeping files open tells a file replaced at the same path (a fresh copy after a
 *     damaged one was quarantined) from the one it holds
 */
public record BlobFile(Digest digest, Path path, long size, Object fileKey) {
    public BlobFile(Digest digest, Path path, long size) {
        this(digest, path, size, null);
    }
}
