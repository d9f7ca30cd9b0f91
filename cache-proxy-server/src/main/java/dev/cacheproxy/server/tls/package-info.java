/**
 * TLS on the listeners: the settings ({@code server.tls}), and the server context built from PEM files,
 * rebuilt when they change so that a rotated certificate is served without a restart.
 */
package dev.cacheproxy.server.tls;
