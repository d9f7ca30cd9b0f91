package dev.cacheproxy.modes.linuxrepo;

import dev.cacheproxy.core.cache.FileCheck;
import dev.cacheproxy.core.digest.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one Linux repository format contributes to the shared framework: how its paths are classified and
 * how a generation of one root is fetched and checked. Everything else (discovery, refresh scheduling,
 * the root lifecycle, publishing, serving, persistence) is the framework's.
 */
public interface RepoLayout {
    PathKind classify(String path);

    /**
     * Fetches a complete generation of the root at {@code rootPath} through {@code fetcher} (one upstream),
     * verifying every file against the root file's hashes, and adds the package files its indexes list
     * to {@code listing} (paths below the mount). {@code wantedIndexDirs} are the index directories
     * clients use (empty: none known yet).
     */
    GenerationDraft build(String rootPath, Set<String> wantedIndexDirs, Fetcher fetcher, ArtifactListing.Builder listing)
            throws RefreshException;

    /**
     * Where the upstream serves the file with this SHA-256 that is listed as {@code path}, by hash
     * ({@code …/by-hash/SHA256/<hex>}), when the format has such paths: fetching by hash cannot race a
     * republish. Empty: fetch {@code path} by name and verify.
     */
    default Optional<String> byHashPath(String path, String sha256) {
        return Optional.empty();
    }

    /**
     * The root files of the root at {@code rootPath} that list other files by hash (Debian: InRelease,
     * Release), most complete first: what a client's first contact stores before any generation exists.
     */
    default List<String> listingRootFiles(String rootPath) {
        return List.of();
    }

    /**
     * The files a root file lists, by path below the mount, with their SHA-256 (hex); empty when the file
     * lists none this way. Used to verify what clients fetch before the first generation exists.
     */
    default Map<String, String> listedBy(String rootPath, InputStream rootFile) throws IOException {
        return Map.of();
    }

    /**
     * How a package its generation lists is checked when it is fetched: by default against the listed
     * whole-file digest. A refused body is never stored and the client's download is cut.
     */
    default ArtifactVerification artifactVerification(ArtifactListing.Entry listed) {
        return new ArtifactVerification(List.of(listed.digest()), FileCheck.NONE);
    }

    /** What a listed package's body is checked against: streaming digests and a check of the whole file. */
    record ArtifactVerification(List<Digest> expected, FileCheck fileCheck) {}

    /**
     * The file of the root at {@code rootPath} an active probe asks for ({@code HEAD}): by default the first
     * root file that lists others ({@code InRelease}, {@code repomd.xml}).
     */
    default List<String> probeTargets(String rootPath) {
        return listingRootFiles(rootPath).stream().limit(1).toList();
    }

    /** Client setup lines for the home page. */
    String clientSetup(String publicUrl);
}
