/**
 * {@code storage.backend: s3}: the blob store and the entry store in an S3-compatible bucket that several
 * nodes share ({@link dev.cacheproxy.s3.S3BlobStore}, {@link dev.cacheproxy.s3.S3EntryStore}), over one
 * thin client ({@link dev.cacheproxy.s3.S3Objects}, the AWS SDK for Java v2). Every node keeps a bounded
 * local disk tier of blobs in front of the bucket, so that a hit is served from a local file (zero-copy)
 * as with the file backend.
 */
package dev.cacheproxy.s3;
