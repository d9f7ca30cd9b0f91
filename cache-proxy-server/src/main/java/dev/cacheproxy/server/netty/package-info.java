/**
 * The Netty server: listeners and pipelines, the router (longest mount prefix on segment boundaries),
 * the per-connection request handler (ordering, pipelining, virtual-thread dispatch), and the response
 * writer (zero-copy file regions, fill followers, paced upstream streams; Range, conditionals and HEAD).
 */
package dev.cacheproxy.server.netty;
