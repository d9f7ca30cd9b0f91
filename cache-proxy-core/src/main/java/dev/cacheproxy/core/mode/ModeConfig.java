package dev.cacheproxy.core.mode;

import dev.cacheproxy.core.upstream.TransportSettings;

/**
 * The parsed, validated block of one mode. Each mode has its own record; the server needs only
 * these common parts to route and to build the instance. A plain interface, not sealed: the records
 * live in the modes module.
 */
public interface ModeConfig {
    Mount mount();

    TransportSettings transport();
}
