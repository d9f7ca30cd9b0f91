/**
 * The {@code go} mode: a GOPROXY (module proxy protocol) cache in front of one or more module proxies,
 * tried in order with the protocol's fall-through on 404/410, and a pass-through cache of one checksum
 * database (its {@code supported}, {@code latest}, {@code lookup} and {@code tile} paths).
 *
 * <p>Released versions' {@code .info}, {@code .mod} and {@code .zip} are immutable; a zip is verified
 * before it is stored against the {@code h1:} directory hash the checksum database gives for that
 * module version ({@link dev.cacheproxy.modes.go.ModuleZip}), and its layout is always checked.
 */
package dev.cacheproxy.modes.go;
