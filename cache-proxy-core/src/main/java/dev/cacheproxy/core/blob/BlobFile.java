package dev.cacheproxy.core.blob;

import dev.cacheproxy.core.digest.Digest;
import java.nio.file.Path;

/** A complete, published blob: its SHA-256 address, the file that holds it and its size in bytes. */
public record BlobFile(Digest digest, Path path, long size) {}
