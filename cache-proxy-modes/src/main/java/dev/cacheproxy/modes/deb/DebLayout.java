package dev.cacheproxy.modes.deb;

import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestAlgorithm;
import dev.cacheproxy.modes.linuxrepo.ArtifactListing;
import dev.cacheproxy.modes.linuxrepo.Compression;
import dev.cacheproxy.modes.linuxrepo.Fetcher;
import dev.cacheproxy.modes.linuxrepo.GenerationDraft;
import dev.cacheproxy.modes.linuxrepo.PathKind;
import dev.cacheproxy.modes.linuxrepo.RefreshException;
import dev.cacheproxy.modes.linuxrepo.RepoLayout;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debian repositories: distributions ({@code <archive>/dists/<suite>/InRelease}, indexes below it,
 * packages in {@code <archive>/pool/}) and flat repositories ({@code <dir>/InRelease}, {@code <dir>/Packages.xz},
 * packages beside them).
 *
 * <p>A generation of a distribution is its InRelease, its Release and Release.gpg (whichever the archive
 * has: a client using Release + Release.gpg gets the same generation as one using InRelease), and, for
 * every index directory clients use ({@code main/binary-amd64}, {@code main/source}), one compression of
 * Packages/Sources ({@code .xz}, else {@code .gz}, else plain), fetched by hash when the archive offers
 * it and always verified against the Release. Every other file the Release lists (other compressions,
 * Translation, Contents, dep11) is served by its listed hash, fetched on first use: the Go project's
 * aliasing of one compression's bytes under another's name cannot happen.
 */
public final class DebLayout implements RepoLayout {
    private static final Logger LOG = LoggerFactory.getLogger(DebLayout.class);
    private static final Set<String> ROOT_FILES = Set.of("InRelease", "Release", "Release.gpg");
    private static final Pattern INDEX = Pattern.compile("(Packages|Sources)(\\.(xz|gz|bz2|lzma|zst))?");
    /** An index below a distribution: its directory (below the suite) and kind. */
    private static final Pattern LISTED_INDEX = Pattern.compile("(.*(?:binary-[^/]+|source))/(Packages|Sources)(\\.(xz|gz))?");
    private static final List<String> PREFERRED = List.of(".xz", ".gz", "");
    private static final Map<String, DigestAlgorithm> BY_HASH_ALGORITHMS =
            Map.of("MD5Sum", DigestAlgorithm.MD5, "SHA1", DigestAlgorithm.SHA1, "SHA256", DigestAlgorithm.SHA256,
                    "SHA512", DigestAlgorithm.SHA512);
    private static final Pattern ARTIFACT_NAME =
            Pattern.compile(".*(\\.(deb|udeb|ddeb|dsc)|\\.orig(-[A-Za-z0-9-]+)?\\.tar\\..*|\\.debian\\.tar\\..*|\\.diff\\.gz)");
    private static final Pattern SIGNATURE_NAME = Pattern.compile(".*\\.(gpg|sig|asc|sha256|sha512|md5sum)");

    @Override
    public PathKind classify(String path) {
        String[] seg = path.split("/");
        int n = seg.length;
        String name = seg[n - 1];
        int dists = lastIndexOf(seg, "dists", n - 1);
        int byHash = lastIndexOf(seg, "by-hash", n);
        if (byHash >= 0 && byHash == n - 3) {
            DigestAlgorithm algorithm = BY_HASH_ALGORITHMS.get(seg[n - 2]);
            Digest digest;
            try {
                digest = algorithm == null ? null : new Digest(algorithm, name.toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                digest = null;
            }
            if (digest == null) {
                return new PathKind.Unknown();
            }
            String dir = join(seg, 0, byHash);
            if (dists >= 0 && dists + 2 <= byHash) {
                String root = join(seg, 0, dists + 2);
                return new PathKind.ByHash(digest, root, indexDir(join(seg, dists + 2, byHash)));
            }
            return new PathKind.ByHash(digest, dir, null);
        }
        String parent = join(seg, 0, n - 1);
        if (ROOT_FILES.contains(name)) {
            return new PathKind.Metadata(parent, true, null);
        }
        if (INDEX.matcher(name).matches()) {
            if (dists >= 0 && dists + 2 < n - 1) {
                return new PathKind.Metadata(join(seg, 0, dists + 2), false, indexDir(join(seg, dists + 2, n - 1)));
            }
            if (dists < 0) {
                return new PathKind.Metadata(parent, true, null); // a flat repository
            }
        }
        if (lastIndexOf(seg, "pool", n - 1) >= 0 || ARTIFACT_NAME.matcher(name).matches()) {
            return new PathKind.Artifact();
        }
        if (dists >= 0 || SIGNATURE_NAME.matcher(name).matches()) {
            return new PathKind.Auxiliary();
        }
        return new PathKind.Unknown();
    }

    @Override
    public List<String> listingRootFiles(String rootPath) {
        return List.of(child(rootPath, "InRelease"), child(rootPath, "Release"));
    }

    @Override
    public Map<String, String> listedBy(String rootPath, InputStream rootFile) throws IOException {
        Map<String, String> out = new TreeMap<>();
        ReleaseFile.read(rootFile).sha256().forEach((name, l) -> out.put(child(rootPath, name), l.sha256()));
        return out;
    }

    @Override
    public Optional<String> byHashPath(String path, String sha256) {
        int slash = path.lastIndexOf('/');
        String dir = slash < 0 ? "" : path.substring(0, slash + 1);
        return Optional.of(dir + "by-hash/SHA256/" + sha256);
    }

    @Override
    public GenerationDraft build(String rootPath, Set<String> wantedIndexDirs, Fetcher fetcher,
            ArtifactListing.Builder listing) throws RefreshException {
        String[] seg = rootPath.isEmpty() ? new String[0] : rootPath.split("/");
        int dists = lastIndexOf(seg, "dists", seg.length);
        return dists >= 0 && dists < seg.length - 1
                ? distribution(rootPath, join(seg, 0, dists), wantedIndexDirs, fetcher, listing)
                : flat(rootPath, fetcher, listing);
    }

    private GenerationDraft distribution(String root, String archive, Set<String> wanted, Fetcher fetcher,
            ArtifactListing.Builder listing) throws RefreshException {
        GenerationDraft draft = new GenerationDraft();
        ReleaseFile release = rootFiles(root, draft, fetcher)
                .orElseThrow(() -> RefreshException.notFound(fetcher.upstreamName() + ": /" + child(root, "InRelease")
                        + " and /" + child(root, "Release") + " are not there (404)"));
        if (release.sha256().isEmpty()) {
            throw RefreshException.transientFailure("the Release of /" + root + " has no SHA256 list");
        }
        release.sha256().forEach((name, l) -> draft.listed(child(root, name), l.sha256(), l.size()));
        draft.byHash(release.acquireByHash());
        release.validUntil().ifPresent(draft::validUntil);

        // one compression per index the clients use, best first
        Map<String, List<String>> byIndex = new TreeMap<>();
        for (String name : release.sha256().keySet()) {
            Matcher m = LISTED_INDEX.matcher(name);
            if (m.matches() && wanted.contains(m.group(1))) {
                byIndex.computeIfAbsent(m.group(1) + "/" + m.group(2), k -> new ArrayList<>()).add(name);
            }
        }
        int missing = 0;
        for (var e : byIndex.entrySet()) {
            Optional<String> chosen = best(e.getKey(), e.getValue());
            if (chosen.isEmpty()) {
                continue;
            }
            String name = chosen.get();
            ReleaseFile.Listed l = release.sha256().get(name);
            Optional<Fetcher.StoredFile> f = fetchListed(child(root, name), l, release.acquireByHash(), fetcher);
            if (f.isEmpty()) {
                missing++;
                continue;
            }
            draft.file(f.get());
            String dir = name.substring(0, name.lastIndexOf('/'));
            draft.indexDir(dir);
            list(fetcher, f.get(), name.substring(name.lastIndexOf('/') + 1), archive, listing);
        }
        if (missing > 0 && missing == byIndex.size()) {
            throw RefreshException.transientFailure("none of the " + missing + " package indexes of /" + root
                    + " the Release lists could be fetched");
        }
        if (missing > 0) {
            LOG.warn("/{}: partial metadata: {} listed index(es) missing upstream", root, missing);
        }
        return draft;
    }

    private GenerationDraft flat(String dir, Fetcher fetcher, ArtifactListing.Builder listing) throws RefreshException {
        GenerationDraft draft = new GenerationDraft();
        Optional<ReleaseFile> release = rootFiles(dir, draft, fetcher);
        release.ifPresent(r -> {
            r.sha256().forEach((name, l) -> draft.listed(child(dir, name), l.sha256(), l.size()));
            draft.byHash(r.acquireByHash());
            r.validUntil().ifPresent(draft::validUntil);
        });
        boolean any = false;
        for (String kind : List.of("Packages", "Sources")) {
            for (String suffix : PREFERRED) {
                String name = kind + suffix;
                ReleaseFile.Listed l = release.map(r -> r.sha256().get(name)).orElse(null);
                Optional<Fetcher.StoredFile> f = l != null
                        ? fetchListed(child(dir, name), l, false, fetcher)
                        : fetcher.fetch(child(dir, name), List.of());
                if (f.isPresent()) {
                    draft.file(f.get());
                    list(fetcher, f.get(), name, dir, listing);
                    any = true;
                    break;
                }
                draft.absent(child(dir, name));
            }
        }
        if (!any) {
            throw RefreshException.notFound(fetcher.upstreamName() + ": /" + dir + " has neither Packages nor Sources");
        }
        return draft;
    }

    /**
     * Fetches InRelease, Release and Release.gpg (whichever exist) into the draft and parses the Release
     * text. When both InRelease and Release exist they must list the same hashes: an archive caught
     * half-way through publishing fails this refresh rather than hand out a mixed generation.
     */
    private Optional<ReleaseFile> rootFiles(String root, GenerationDraft draft, Fetcher fetcher) throws RefreshException {
        Optional<Fetcher.StoredFile> inRelease = fetcher.fetch(child(root, "InRelease"), List.of());
        Optional<Fetcher.StoredFile> release = fetcher.fetch(child(root, "Release"), List.of());
        Optional<Fetcher.StoredFile> signature = release.isPresent()
                ? fetcher.fetch(child(root, "Release.gpg"), List.of()) : Optional.empty();
        for (var f : List.of(inRelease, release, signature)) {
            f.ifPresent(draft::file);
        }
        for (String name : ROOT_FILES) {
            if (!draft.has(child(root, name))) {
                draft.absent(child(root, name));
            }
        }
        try {
            Optional<ReleaseFile> fromInRelease = inRelease.isPresent()
                    ? Optional.of(ReleaseFile.read(fetcher.open(inRelease.get()))) : Optional.empty();
            Optional<ReleaseFile> fromRelease = release.isPresent()
                    ? Optional.of(ReleaseFile.read(fetcher.open(release.get()))) : Optional.empty();
            if (fromInRelease.isPresent() && fromRelease.isPresent()
                    && !fromInRelease.get().sha256().equals(fromRelease.get().sha256())) {
                throw RefreshException.transientFailure("InRelease and Release of /" + root
                        + " list different files (the upstream is publishing); trying again later");
            }
            return fromInRelease.or(() -> fromRelease);
        } catch (IOException e) {
            throw RefreshException.transientFailure("/" + root + ": unreadable Release: " + e.getMessage());
        }
    }

    /** A listed index, by hash first when the archive has by-hash paths; recorded under its name. */
    private Optional<Fetcher.StoredFile> fetchListed(String path, ReleaseFile.Listed l, boolean byHash, Fetcher fetcher)
            throws RefreshException {
        List<Digest> expected = List.of(Digest.sha256(l.sha256()));
        Optional<Fetcher.StoredFile> f = byHash ? fetcher.fetch(byHashPath(path, l.sha256()).orElseThrow(), expected)
                : Optional.empty();
        if (f.isEmpty()) {
            f = fetcher.fetch(path, expected);
        }
        return f.map(s -> new Fetcher.StoredFile(path, s.blob(), s.headers()));
    }

    /** Adds the package files an index lists; {@code base} is the directory its paths are relative to. */
    private static void list(Fetcher fetcher, Fetcher.StoredFile index, String name, String base,
            ArtifactListing.Builder listing)
            throws RefreshException {
        boolean sources = name.startsWith("Sources");
        try (InputStream in = Compression.open(fetcher.open(index), name)) {
            if (sources) {
                ControlStanzas.forEach(in, Set.of("directory", "checksums-sha256"), s -> {
                    String dir = s.get("directory");
                    for (String line : s.getOrDefault("checksums-sha256", "").split("\n")) {
                        String[] p = line.trim().split("\\s+");
                        if (dir != null && p.length == 3 && p[0].length() == 64) {
                            add(listing, child(base, normalise(dir + "/" + p[2])), p[0], p[1]);
                        }
                    }
                });
            } else {
                ControlStanzas.forEach(in, Set.of("filename", "sha256", "size"), s -> {
                    if (s.containsKey("filename") && s.containsKey("sha256")) {
                        add(listing, child(base, normalise(s.get("filename"))), s.get("sha256"),
                                s.getOrDefault("size", "-1"));
                    }
                });
            }
        } catch (IOException e) {
            throw RefreshException.transientFailure("unreadable index /" + index.path() + ": " + e.getMessage());
        }
    }

    private static void add(ArtifactListing.Builder listing, String path, String sha256, String size) {
        try {
            listing.add(path, Digest.sha256(sha256.toLowerCase(Locale.ROOT)), Long.parseLong(size.trim()));
        } catch (IllegalArgumentException malformed) {
            // an entry we cannot verify against is simply not listed
        }
    }

    private static Optional<String> best(String index, List<String> listed) {
        for (String suffix : PREFERRED) {
            if (listed.contains(index + suffix)) {
                return Optional.of(index + suffix);
            }
        }
        return Optional.empty();
    }

    /** {@code main/binary-amd64} or {@code main/source} directories are index directories; others are not. */
    private static String indexDir(String dir) {
        String last = dir.substring(dir.lastIndexOf('/') + 1);
        return last.startsWith("binary-") || last.equals("source") ? dir : null;
    }

    private static String normalise(String relative) {
        List<String> out = new ArrayList<>();
        for (String s : relative.split("/")) {
            if (!s.isEmpty() && !s.equals(".")) {
                out.add(s);
            }
        }
        return String.join("/", out);
    }

    static String child(String dir, String name) {
        return dir.isEmpty() ? name : dir + "/" + name;
    }

    private static int lastIndexOf(String[] seg, String value, int before) {
        for (int i = Math.min(before, seg.length) - 1; i >= 0; i--) {
            if (seg[i].equals(value)) {
                return i;
            }
        }
        return -1;
    }

    private static String join(String[] seg, int from, int to) {
        return String.join("/", java.util.Arrays.asList(seg).subList(from, to));
    }

    @Override
    public String clientSetup(String publicUrl) {
        return "sources.list: deb " + publicUrl + " <suite> <components>   (the path below the upstream "
                + "goes after " + publicUrl + "; keep the upstream's signed-by key)";
    }
}
