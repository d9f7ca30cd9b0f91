package dev.cacheproxy.modes.pacman;

import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestAlgorithm;
import dev.cacheproxy.modes.linuxrepo.ArtifactListing;
import dev.cacheproxy.modes.linuxrepo.DetachedSignature;
import dev.cacheproxy.modes.linuxrepo.Fetcher;
import dev.cacheproxy.modes.linuxrepo.GenerationDraft;
import dev.cacheproxy.modes.linuxrepo.PathKind;
import dev.cacheproxy.modes.linuxrepo.RefreshException;
import dev.cacheproxy.modes.linuxrepo.RepoLayout;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * pacman repositories. A root is one database, {@code <dir>/<repo>}: a directory may hold several (a
 * custom repository beside its testing twin), and pacman asks for {@code <repo>.db} by that name. Its
 * generation is {@code <repo>.db} and {@code <repo>.db.sig} fetched together (PM1: a database and a
 * signature of two publications fail pacman's check), and {@code <repo>.files} with its {@code .sig} once
 * a client has asked for the file lists ({@code pacman -F}); a signature the upstream lacks is a fast 404
 * (PM2). Packages and their {@code .sig} are keyed by path and verified against the database's
 * {@code %SHA256SUM%} and {@code %PGPSIG%}.
 */
final class PacmanLayout implements RepoLayout {
    /** {@code <repo>.db} / {@code <repo>.files}, bare or as the tar they link to, with a {@code .sig} or not. */
    private static final Pattern DATABASE = Pattern.compile(
            "(?<repo>[^/]+)\\.(?<kind>db|files)(?<tar>\\.tar(\\.(gz|bz2|xz|zst|lz|lz4|lzo|lrz|Z))?)?(?<sig>\\.sig)?");
    /** The index "directory" a client's request for the file lists adds to the generation. */
    private static final String FILES = "files";
    /** A detached signature is a few hundred bytes; more is not one. */
    private static final int MAX_SIGNATURE_BYTES = 64 * 1024;

    @Override
    public PathKind classify(String path) {
        int slash = path.lastIndexOf('/');
        String dir = slash < 0 ? "" : path.substring(0, slash);
        String name = path.substring(slash + 1);
        Matcher m = DATABASE.matcher(name);
        if (m.matches()) {
            String root = child(dir, m.group("repo"));
            return m.group("kind").equals("db") ? new PathKind.Metadata(root, true, null)
                    : new PathKind.Metadata(root, false, FILES);
        }
        if (name.contains(".pkg.tar.") && !name.startsWith(".")) {
            return new PathKind.Artifact();
        }
        return new PathKind.Unknown();
    }

    @Override
    public GenerationDraft build(String rootPath, Set<String> wantedIndexDirs, Fetcher fetcher,
            ArtifactListing.Builder listing) throws RefreshException {
        GenerationDraft draft = new GenerationDraft();
        String db = rootPath + ".db";
        Fetcher.StoredFile dbFile = fetcher.fetch(db, List.of())
                .orElseThrow(() -> RefreshException.notFound(fetcher.upstreamName() + ": /" + db + " is not there (404)"));
        draft.file(dbFile);
        signature(fetcher, draft, dbFile);
        if (wantedIndexDirs.contains(FILES)) {
            draft.indexDir(FILES);
            String files = rootPath + ".files";
            Optional<Fetcher.StoredFile> filesFile = fetcher.fetch(files, List.of());
            if (filesFile.isPresent()) {
                draft.file(filesFile.get());
                signature(fetcher, draft, filesFile.get());
            } else {
                draft.absent(files);
                draft.absent(files + ".sig");
            }
        }
        String dir = parent(rootPath);
        try (InputStream in = fetcher.open(dbFile)) {
            PacmanDb.forEach(in, p -> {
                String path = child(dir, p.fileName());
                listing.add(path, p.sha256(), p.size());
                if (p.signature() != null) {
                    listing.add(path + ".sig", Digest.of(DigestAlgorithm.SHA256,
                            DigestAlgorithm.SHA256.newMessageDigest().digest(p.signature())), p.signature().length);
                }
            });
        } catch (IOException | RuntimeException e) {
            throw RefreshException.transientFailure("/" + db + ": unreadable database: " + e.getMessage());
        }
        return draft;
    }

    /**
     * The detached signature of {@code signed}, when the upstream has one (absent: a fast 404 later, PM2).
     * A signature not made over the file fetched with it means the upstream was publishing between the two
     * requests (repo-add writes the database, then its signature): the refresh fails and is retried, and
     * the current generation, a matching pair, stays (PM1).
     */
    private static void signature(Fetcher fetcher, GenerationDraft draft, Fetcher.StoredFile signed) throws RefreshException {
        String path = signed.path() + ".sig";
        Optional<Fetcher.StoredFile> sig = fetcher.fetch(path, List.of());
        if (sig.isEmpty()) {
            draft.absent(path);
            return;
        }
        try {
            byte[] bytes;
            try (InputStream in = fetcher.open(sig.get())) {
                bytes = in.readNBytes(MAX_SIGNATURE_BYTES + 1);
            }
            Optional<DetachedSignature> parsed = bytes.length > MAX_SIGNATURE_BYTES ? Optional.empty()
                    : DetachedSignature.read(bytes);
            if (parsed.isPresent()) {
                try (InputStream in = fetcher.open(signed)) {
                    if (!parsed.get().madeOver(in)) {
                        throw RefreshException.transientFailure(fetcher.upstreamName() + ": /" + path + " is not a signature of the /"
                                + signed.path() + " fetched with it (the upstream is publishing?)");
                    }
                }
            }
        } catch (IOException e) {
            throw RefreshException.transientFailure("/" + path + ": " + e.getMessage());
        }
        draft.file(sig.get());
    }

    @Override
    public List<String> probeTargets(String rootPath) {
        return List.of(rootPath + ".db");
    }

    @Override
    public String clientSetup(String publicUrl) {
        return "/etc/pacman.conf: Server = " + publicUrl + "/<the path below the upstream, e.g. $repo/os/$arch>";
    }

    private static String child(String dir, String name) {
        return dir.isEmpty() ? name : dir + "/" + name;
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }
}
