package dev.cacheproxy.core.mode;

import dev.cacheproxy.core.upstream.TransportSettings;

/**
 * The parsed, validated block of one mode. Each mode has its own record holding its
 * {@link InstanceBasics} beside its own fields; the server needs only the basics to route and to build
 * the instance. A plain interface, not sealed: the records live in the modes module.
 */
public interface ModeConfig {
    InstanceBasics basics();

    default Mount mount() {
        return basics().mount();
    }

    default TransportSettings transport() {
        return basics().transport();
    }
}
