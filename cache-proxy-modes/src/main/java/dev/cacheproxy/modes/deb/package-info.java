/**
 * The {@code deb} mode: the Debian repository layout ({@link dev.cacheproxy.modes.deb.DebLayout}: which path
 * is a root file, an index, a by-hash object, a package or an auxiliary file, and how a generation of a
 * distribution or flat repository is fetched and verified), the Release and control-stanza parsers it
 * needs. Serving, refreshing and persistence are the shared {@code linuxrepo} framework's.
 */
package dev.cacheproxy.modes.deb;
