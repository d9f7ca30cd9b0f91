/**
 * The {@code cargo} mode: a cache of a sparse cargo registry. {@code config.json} is served rewritten so
 * that downloads (and the API, when the upstream has one) come through the proxy; index files are
 * revalidated with their validators; a {@code .crate} is verified against the {@code cksum} of its
 * version's line in the stored index file before it is stored
 * ({@link dev.cacheproxy.modes.cargo.IndexFile}), fetched from where the upstream's {@code dl} template
 * says ({@link dev.cacheproxy.modes.cargo.DownloadTemplate}).
 */
package dev.cacheproxy.modes.cargo;
