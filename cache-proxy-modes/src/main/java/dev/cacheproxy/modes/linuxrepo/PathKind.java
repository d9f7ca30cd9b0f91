package dev.cacheproxy.modes.linuxrepo;

import dev.cacheproxy.core.digest.Digest;

/**
 * What a path below a Linux repository mount is, as its layout classifies it (paths are decoded, relative
 * to the mount, without a leading slash).
 */
public sealed interface PathKind {
    /**
     * Repository metadata of the root at {@code rootPath}. A {@code primary} file (InRelease, Release,
     * repomd.xml, APKINDEX, a pacman db) discovers the root; a member file (a Debian Packages index of a
     * distribution) belongs to a root found by prefix and is served from its generation. {@code indexDir},
     * when not null, is the index directory below the root the request shows a client uses
     * ({@code main/binary-amd64}), so that refreshes fetch it.
     */
    record Metadata(String rootPath, boolean primary, String indexDir) implements PathKind {}

    /**
     * A content-addressed file ({@code …/by-hash/SHA256/<hex>}): immutable, verified against its own name.
     * {@code rootPath} is the root it most likely belongs to, {@code indexDir} as for {@link Metadata}.
     */
    record ByHash(Digest digest, String rootPath, String indexDir) implements PathKind {}

    /** A package or source file: keyed by path, kept across refreshes, verified when an index lists it. */
    record Artifact() implements PathKind {}

    /** Translations, contents, signatures and other companions: cached with the auxiliary policy. */
    record Auxiliary() implements PathKind {}

    /** Anything else: forwarded as it is, never cached. */
    record Unknown() implements PathKind {}
}
