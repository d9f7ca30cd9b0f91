/**
 * The {@code rpm} mode on the Linux repository framework: dnf, yum, microdnf and zypper repositories.
 * A root is the directory holding {@code repodata/}; its generation is {@code repomd.xml} with its
 * {@code .asc} and {@code .key} and every data file it lists, fetched together and each verified against
 * the checksum {@code repomd.xml} names ({@link dev.cacheproxy.modes.rpm.Repomd}); packages are verified against
 * {@code primary}'s checksums ({@link dev.cacheproxy.modes.rpm.RpmLayout}).
 */
package dev.cacheproxy.modes.rpm;
