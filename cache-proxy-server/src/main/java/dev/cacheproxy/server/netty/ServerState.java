package dev.cacheproxy.server.netty;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** Process-wide serving state shared by every connection: in-flight requests, open connections, draining. */
final class ServerState {
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger connections = new AtomicInteger();
    final AtomicBoolean draining = new AtomicBoolean();
    volatile boolean listenersBound;
}
