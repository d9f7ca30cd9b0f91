/**
 * The composition root: {@link dev.cacheproxy.server.Main} (command line), {@link dev.cacheproxy.server.Application}
 * (storage, instances, listeners, lifecycle) and the access log.
 */
package dev.cacheproxy.server;
