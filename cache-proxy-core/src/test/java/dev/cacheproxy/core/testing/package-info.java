/**
 * Shared test support, published in the core test-jar: the blob-store contract, a mutable clock, and the
 * mode kit (a harness that builds a mode instance in process, recorded events, a config block over maps,
 * and {@link dev.cacheproxy.core.testing.ModeContract}, which every mode subclasses).
 */
package dev.cacheproxy.core.testing;
