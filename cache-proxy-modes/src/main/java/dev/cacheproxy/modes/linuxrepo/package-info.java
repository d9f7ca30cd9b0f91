/**
 * The framework the Linux repository modes (deb and rpm now; apk and pacman next) share: repository roots
 * discovered from client requests for their root files, each with a persisted lifecycle
 * ({@link dev.cacheproxy.modes.linuxrepo.Root}); a background {@link dev.cacheproxy.modes.linuxrepo.Refresher}
 * that builds complete, verified metadata generations from one upstream and publishes them atomically
 * ({@link dev.cacheproxy.modes.linuxrepo.StateFiles}); and the serving rules of
 * {@link dev.cacheproxy.modes.linuxrepo.LinuxRepoInstance}: metadata only from the current generation,
 * content-addressed files by hash, packages by path verified against the index listing
 * ({@link dev.cacheproxy.modes.linuxrepo.ArtifactListing}). Before a root's first generation exists,
 * the root files a client fetched are stored and the files they list are served verified against them
 * (first contact), so a repository used once keeps working through an outage. A format plugs in through
 * {@link dev.cacheproxy.modes.linuxrepo.RepoLayout}.
 */
package dev.cacheproxy.modes.linuxrepo;
