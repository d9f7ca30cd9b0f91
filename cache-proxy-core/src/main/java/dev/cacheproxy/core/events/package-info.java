/** {@link dev.cacheproxy.core.events.CacheEvents}: the narrow, exception-proof hook that metrics implement. */
package dev.cacheproxy.core.events;
