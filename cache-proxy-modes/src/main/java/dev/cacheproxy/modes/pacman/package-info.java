/**
 * The {@code pacman} mode on the Linux repository framework: Arch Linux style repositories
 * ({@code Server = …/$repo/os/$arch}). A root is one repository database ({@code <dir>/<repo>}); its
 * generation is {@code <repo>.db} with its {@code .sig}, plus {@code <repo>.files} with its {@code .sig} once a
 * client has asked for the file lists, fetched together so that a database and its signature are always
 * of one publication. Packages and their detached signatures are verified against the SHA-256 and the
 * {@code %PGPSIG%} the database's {@code desc} entries state ({@link dev.cacheproxy.modes.pacman.PacmanDb}).
 */
package dev.cacheproxy.modes.pacman;
