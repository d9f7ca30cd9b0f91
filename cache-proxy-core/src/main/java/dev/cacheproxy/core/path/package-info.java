/**
 * Validated request paths: percent-decoding, the safe-path check and re-encoding for upstream URLs
 * happen here and nowhere else. Every later API takes a {@link dev.cacheproxy.core.path.RequestPath},
 * never a raw string.
 */
package dev.cacheproxy.core.path;
