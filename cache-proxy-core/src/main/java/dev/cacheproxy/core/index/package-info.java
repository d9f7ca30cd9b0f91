/**
 * Cache entries: one {@link dev.cacheproxy.core.index.CacheEntry} per (instance, key), persisted as a JSON
 * file written atomically, fronted by a bounded in-memory index so that hot hits touch no metadata on disk.
 */
package dev.cacheproxy.core.index;
