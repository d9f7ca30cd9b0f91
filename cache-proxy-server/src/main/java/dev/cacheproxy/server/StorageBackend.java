package dev.cacheproxy.server;

import dev.cacheproxy.core.blob.BlobStore;
import dev.cacheproxy.core.blob.FileBlobStore;
import dev.cacheproxy.core.index.EntryStore;
import dev.cacheproxy.core.index.FileEntryStore;
import dev.cacheproxy.s3.S3BlobStore;
import dev.cacheproxy.s3.S3EntryStore;
import dev.cacheproxy.s3.S3Objects;
import dev.cacheproxy.s3.S3Settings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stores {@code storage.backend} names: blobs and entries in the storage directory ({@code file}),
 * or in a bucket several nodes share ({@code s3}), with this node's local tier, temp files and state in
 * the storage directory. {@code scrubbed} is what the background scrub re-hashes: every blob of a file
 * store, only the local copies of a bucket (re-hashing a bucket would download all of it; a download is
 * verified anyway).
 */
record StorageBackend(BlobStore blobs, EntryStore entries, BlobStore scrubbed, String description) {
    private static final Logger LOG = LoggerFactory.getLogger(StorageBackend.class);

    static StorageBackend open(Path dir, Optional<S3Settings> s3) throws IOException {
        if (s3.isEmpty()) {
            FileBlobStore files = FileBlobStore.open(dir);
            return new StorageBackend(files, new FileEntryStore(dir.resolve("index"), dir.resolve("tmp")), files,
                    dir.toAbsolutePath().toString());
        }
        S3Settings s = s3.get();
        S3Objects objects = S3Objects.connect(s);
        S3BlobStore blobs;
        try {
            blobs = S3BlobStore.open(objects, s.prefix(), dir, s.localMaxSize());
        } catch (IOException | RuntimeException e) {
            objects.close();
            throw new IOException("cannot open the bucket " + s + ": " + e.getMessage(), e);
        }
        LOG.info("storage: {} blobs ({} bytes) in {}; local tier {} (at most {} bytes)", blobs.stats().objects(),
                blobs.stats().bytes(), s, dir.toAbsolutePath(), s.localMaxSize());
        return new StorageBackend(blobs, new S3EntryStore(objects, s.prefix()), blobs.localTier(),
                s + ", local tier " + dir.toAbsolutePath());
    }
}
