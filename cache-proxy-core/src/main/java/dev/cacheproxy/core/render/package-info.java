/**
 * Documents served rewritten for the proxy's public URL (npm packuments today; PyPI pages and cargo's
 * config.json next): {@link dev.cacheproxy.core.render.RenderedVariants} stores each rewritten form as a
 * blob, plain and gzip, with its own ETag, bounded per document, and streams any further form.
 */
package dev.cacheproxy.core.render;
