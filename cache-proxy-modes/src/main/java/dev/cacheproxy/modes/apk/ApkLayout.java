package dev.cacheproxy.modes.apk;

import dev.cacheproxy.core.digest.DigestAlgorithm;
import dev.cacheproxy.modes.linuxrepo.ArtifactListing;
import dev.cacheproxy.modes.linuxrepo.Fetcher;
import dev.cacheproxy.modes.linuxrepo.GenerationDraft;
import dev.cacheproxy.modes.linuxrepo.PathKind;
import dev.cacheproxy.modes.linuxrepo.RefreshException;
import dev.cacheproxy.modes.linuxrepo.RepoLayout;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Set;

/**
 * Alpine repositories. A root is the directory holding {@code APKINDEX.tar.gz}
 * ({@code v3.20/main/x86_64}); its generation is that index, signed upstream and served unchanged, so
 * the packages a client is offered and the index it holds are of one publication (A1). Packages
 * ({@code <name>-<version>.apk}) are keyed by path and checked against the index record: size and the
 * control segment's SHA-1 ({@link ApkPackageCheck}). Detached package signatures and checksum files
 * are auxiliaries.
 */
final class ApkLayout implements RepoLayout {
    private static final String INDEX = "APKINDEX.tar.gz";

    @Override
    public PathKind classify(String path) {
        int slash = path.lastIndexOf('/');
        String dir = slash < 0 ? "" : path.substring(0, slash);
        String name = path.substring(slash + 1);
        if (name.equals(INDEX)) {
            return new PathKind.Metadata(dir, true, null);
        }
        if (name.startsWith(".")) {
            return new PathKind.Unknown();
        }
        if (name.endsWith(".apk")) {
            return new PathKind.Artifact();
        }
        if (name.equals(INDEX + ".sig") || name.endsWith(".apk.sig") || name.endsWith(".apk.asc")
                || name.endsWith(".apk.sha256") || name.endsWith(".apk.sha512")) {
            return new PathKind.Auxiliary();
        }
        return new PathKind.Unknown();
    }

    @Override
    public GenerationDraft build(String rootPath, Set<String> wantedIndexDirs, Fetcher fetcher,
            ArtifactListing.Builder listing) throws RefreshException {
        GenerationDraft draft = new GenerationDraft();
        String index = child(rootPath, INDEX);
        Fetcher.StoredFile indexFile = fetcher.fetch(index, List.of())
                .orElseThrow(() -> RefreshException.notFound(fetcher.upstreamName() + ": /" + index + " is not there (404)"));
        draft.file(indexFile);
        try (InputStream in = fetcher.open(indexFile)) {
            ApkIndex.forEach(in, p -> listing.add(child(rootPath, p.fileName()), p.controlSha1(), p.size()));
        } catch (IOException | RuntimeException e) {
            throw RefreshException.transientFailure("/" + index + ": unreadable index: " + e.getMessage());
        }
        return draft;
    }

    /** apk's own check: the control segment's SHA-1 and the size, not a whole-file digest (the index has none). */
    @Override
    public ArtifactVerification artifactVerification(ArtifactListing.Entry listed) {
        if (listed.digest().algorithm() != DigestAlgorithm.SHA1) {
            return RepoLayout.super.artifactVerification(listed);
        }
        return new ArtifactVerification(List.of(), new ApkPackageCheck(listed.digest(), listed.size()));
    }

    @Override
    public List<String> probeTargets(String rootPath) {
        return List.of(child(rootPath, INDEX));
    }

    @Override
    public String clientSetup(String publicUrl) {
        return "/etc/apk/repositories: " + publicUrl + "/<the path below the upstream, e.g. v3.20/main>"
                + "   (keep the repository's key in /etc/apk/keys)";
    }

    private static String child(String dir, String name) {
        return dir.isEmpty() ? name : dir + "/" + name;
    }
}
