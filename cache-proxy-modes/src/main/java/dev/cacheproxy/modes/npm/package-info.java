/**
 * The npm mode: packuments (full and abbreviated as separate entries) and version documents served
 * with their tarball URLs rewritten to this proxy ({@link dev.cacheproxy.modes.npm.PackumentRewriter},
 * {@link dev.cacheproxy.modes.npm.RenderedDocuments}), tarballs verified against the packument's
 * {@code dist} digests, the registry API below {@code /-/} forwarded, errors in npm's JSON shape.
 */
package dev.cacheproxy.modes.npm;
