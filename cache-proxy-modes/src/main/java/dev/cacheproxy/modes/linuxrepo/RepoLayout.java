package dev.cacheproxy.modes.linuxrepo;

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

    /** Client setup lines for the home page. */
    String clientSetup(String publicUrl);
}
