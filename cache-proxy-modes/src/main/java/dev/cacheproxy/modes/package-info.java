/**
 * The protocol modes, one package each, over the core SPI; {@link dev.cacheproxy.modes.ModeRegistry} lists them.
 * A mode package never imports another mode package.
 */
package dev.cacheproxy.modes;
