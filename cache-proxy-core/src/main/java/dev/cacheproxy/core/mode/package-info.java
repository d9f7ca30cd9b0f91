/**
 * The mode SPI: {@link dev.cacheproxy.core.mode.Mode} (reads its YAML block through
 * {@link dev.cacheproxy.core.config.ConfigBlock} and builds instances),
 * {@link dev.cacheproxy.core.mode.ModeInstance} (answers requests with response values),
 * {@link dev.cacheproxy.core.mode.ModeContext} (the shared services a mode is given) and the readers of
 * the sub-blocks every mode shares.
 */
package dev.cacheproxy.core.mode;
