/**
 * File-system helpers the store, the index and the modes' state share: {@link
 * dev.cacheproxy.core.io.AtomicFiles} writes a file so that a crash leaves the old version or the new
 * one, never a part.
 */
package dev.cacheproxy.core.io;
