/**
 * The blob store SPI ({@link dev.cacheproxy.core.blob.BlobStore}, {@link dev.cacheproxy.core.blob.BlobWriter})
 * and its file-system implementation: content-addressed SHA-256 blobs shared by every instance,
 * temp files inside the storage root, fsync and atomic rename on publish, a LOCK per backend.
 */
package dev.cacheproxy.core.blob;
