/**
 * Configuration value types shared by every mode ({@code duration}, {@code expiration},
 * {@code freshness}, parsed as the Go project does), {@link dev.cacheproxy.core.config.Glob} for the
 * {@code match} of rules, and {@link dev.cacheproxy.core.config.ConfigBlock},
 * the YAML-free view through which a mode reads its own block. YAML itself lives in the server.
 */
package dev.cacheproxy.core.config;
