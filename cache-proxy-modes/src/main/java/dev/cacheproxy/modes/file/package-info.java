/**
 * The {@code file} mode: a generic HTTP cache over ordered upstreams, with doublestar rules choosing
 * policy, freshness, busy policy and expiry per path.
 */
package dev.cacheproxy.modes.file;
