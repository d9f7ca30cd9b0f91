/** Content digests: the validated {@link dev.cacheproxy.core.digest.Digest} value and streaming verification. */
package dev.cacheproxy.core.digest;
