/** Shared test support, published in the core test-jar: the blob-store contract and a mutable clock. */
package dev.cacheproxy.core.testing;
