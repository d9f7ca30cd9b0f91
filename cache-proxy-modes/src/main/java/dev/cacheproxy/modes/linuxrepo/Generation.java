package dev.cacheproxy.modes.linuxrepo;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * One published, internally consistent set of a root's metadata, fetched from one upstream and verified
 * against the root file's hashes. Paths are below the mount.
 *
 * @param id base-36 nanoseconds of the build; orders generations
 * @param files the metadata files the generation holds (InRelease, Release, Release.gpg, the indexes
 *     clients use): served by these names, never from the upstream
 * @param listed every other file the root file lists with a SHA-256 (other compressions of an index,
 *     translations, contents): served by that hash, fetched on first use, so a name always gives the
 *     bytes this generation's root file promises
 * @param absent metadata names the upstream did not have when the generation was built (answered 404)
 * @param indexDirs the index directories below the root whose indexes {@code files} holds
 * @param validUntil the root file's {@code Valid-Until}, or null
 * @param artifacts how many package files the generation's indexes list
 */
public record Generation(String id, String rootPath, String upstream, Instant publishedAt, Map<String, FileRef> files,
        Map<String, FileRef> listed, Set<String> absent, Set<String> indexDirs, boolean byHash, Instant validUntil,
        long artifacts) {

    public Generation {
        files = Map.copyOf(files);
        listed = Map.copyOf(listed);
        absent = Set.copyOf(absent);
        indexDirs = Set.copyOf(indexDirs);
    }

    /** A file by content: lower-case SHA-256 hex, size (-1 when unknown) and the headers to serve it with. */
    public record FileRef(String sha256, long size, Map<String, String> headers) {
        public FileRef {
            headers = headers == null ? Map.of() : Map.copyOf(headers);
        }
    }

    /** This generation with the number of distinct package paths its listing holds. */
    public Generation withArtifacts(long count) {
        return new Generation(id, rootPath, upstream, publishedAt, files, listed, absent, indexDirs, byHash, validUntil,
                count);
    }

    /**
     * Whether this generation has the same metadata content, known-absent names and index directories as
     * {@code other} (then it is not published).
     */
    public boolean sameContentAs(Generation other) {
        if (other == null || files.size() != other.files.size()) {
            return false;
        }
        for (var e : files.entrySet()) {
            FileRef o = other.files.get(e.getKey());
            if (o == null || !o.sha256().equals(e.getValue().sha256())) {
                return false;
            }
        }
        return absent.equals(other.absent) && indexDirs.equals(other.indexDirs);
    }
}
