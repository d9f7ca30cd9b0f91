/**
 * The maven mode: a Maven repository cache. {@link dev.cacheproxy.modes.maven.MavenPath} classifies a
 * path by the Maven layout (release, snapshot, metadata, checksum or signature sidecar);
 * {@link dev.cacheproxy.modes.maven.MavenInstance} applies the matching policy and verifies artifacts
 * against the checksum the upstream states or the {@code .sha1} already held.
 */
package dev.cacheproxy.modes.maven;
