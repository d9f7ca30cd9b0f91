/**
 * Configuration: YAML (with line numbers) into the validated {@link dev.cacheproxy.server.config.AppConfig};
 * strict keys, {@code ${VAR}} substitution, and every problem reported at once with its YAML path and line.
 * Modes read their own blocks through {@link dev.cacheproxy.core.config.ConfigBlock}.
 */
package dev.cacheproxy.server.config;
