/**
 * The npm mode (in progress, not yet offered by the ModeRegistry): for now the packument rewriter,
 * which streams a packument, points its upstream tarball URLs at this proxy and collects the
 * {@code dist} digests that tarball fills are verified against.
 */
package dev.cacheproxy.modes.npm;
