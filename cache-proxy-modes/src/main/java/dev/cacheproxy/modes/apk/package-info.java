/**
 * The {@code apk} mode on the Linux repository framework: Alpine repositories
 * ({@code http://host/apk/v3.20/main} in {@code /etc/apk/repositories}). A root is the directory holding
 * {@code APKINDEX.tar.gz}; its generation is that signed index, passed through byte for byte (A3).
 * Packages are verified the way apk verifies them: the SHA-1 of their control segment against the index's
 * {@code C:} and their size against {@code S:} ({@link dev.cacheproxy.modes.apk.ApkPackageCheck}).
 */
package dev.cacheproxy.modes.apk;
