package dev.cacheproxy.modes.rpm;

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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * RPM repositories: a root is the directory holding {@code repodata/}. A generation is
 * {@code repodata/repomd.xml} with its {@code .asc} and {@code .key} (when the repository has them) and
 * every data file {@code repomd.xml} lists, fetched with it and verified against its checksum, so that a
 * client always gets data files of the same publication as its {@code repomd.xml} (a republish deletes
 * the old ones upstream). {@code primary}'s package checksums feed the listing. Data with an
 * {@code xml:base} lives elsewhere and is left to the client. Packages ({@code .rpm}, {@code .drpm}) are keyed by path and verified against
 * {@code primary}'s SHA-256 when it lists them.
 */
final class RpmLayout implements RepoLayout {
    private static final String REPOMD = "repodata/repomd.xml";

    @Override
    public PathKind classify(String path) {
        int repodata = path.equals("repodata") || path.startsWith("repodata/") ? 0 : path.lastIndexOf("/repodata/") + 1;
        if (repodata > 0 || path.startsWith("repodata/")) {
            String root = repodata == 0 ? "" : path.substring(0, repodata - 1);
            String name = path.substring(repodata + "repodata/".length());
            if (name.isEmpty() || name.contains("/")) {
                return new PathKind.Unknown();
            }
            boolean rootFile = name.equals("repomd.xml") || name.equals("repomd.xml.asc") || name.equals("repomd.xml.key");
            return new PathKind.Metadata(root, rootFile, null);
        }
        if (path.endsWith(".rpm") || path.endsWith(".drpm")) {
            return new PathKind.Artifact();
        }
        return new PathKind.Unknown();
    }

    @Override
    public GenerationDraft build(String rootPath, Set<String> wantedIndexDirs, Fetcher fetcher,
            ArtifactListing.Builder listing) throws RefreshException {
        GenerationDraft draft = new GenerationDraft();
        Fetcher.StoredFile repomdFile = fetcher.fetch(child(rootPath, REPOMD), List.of())
                .orElseThrow(() -> RefreshException.notFound(fetcher.upstreamName() + ": /" + child(rootPath, REPOMD)
                        + " is not there (404)"));
        draft.file(repomdFile);
        for (String companion : List.of(REPOMD + ".asc", REPOMD + ".key")) {
            fetcher.fetch(child(rootPath, companion), List.of()).ifPresentOrElse(draft::file,
                    () -> draft.absent(child(rootPath, companion)));
        }
        Repomd repomd;
        try (InputStream in = fetcher.open(repomdFile)) {
            repomd = Repomd.read(in);
        } catch (IOException e) {
            throw RefreshException.transientFailure("/" + child(rootPath, REPOMD) + ": " + e.getMessage());
        }
        boolean primary = false;
        for (Repomd.Data d : repomd.data()) {
            if (d.base().isPresent() || d.location().contains("..") || d.location().startsWith("/")) {
                continue; // lives elsewhere: the client fetches it there
            }
            // every data file is held: a republish deletes the old ones, so a file fetched later by name
            // could be gone while this generation's repomd.xml still lists it
            String path = child(rootPath, d.location());
            Fetcher.StoredFile f = fetcher.fetch(path, d.checksum().map(List::of).orElse(List.of()))
                    .orElseThrow(() -> RefreshException.transientFailure("/" + path
                            + " is listed in repomd.xml but not there (the upstream is publishing?)"));
            draft.file(f);
            if (d.type().equals("primary")) {
                primary = true;
                list(fetcher, f, rootPath, listing);
            }
        }
        if (!primary) {
            throw RefreshException.transientFailure("/" + child(rootPath, REPOMD) + " lists no primary data");
        }
        return draft;
    }

    /** Adds every package {@code primary} lists with a SHA-256 to the listing. */
    private static void list(Fetcher fetcher, Fetcher.StoredFile primary, String rootPath, ArtifactListing.Builder listing)
            throws RefreshException {
        try (InputStream in = Compression.open(fetcher.open(primary), primary.path())) {
            XMLStreamReader r = Repomd.factory().createXMLStreamReader(in);
            String checksumType = null;
            String checksum = null;
            String location = null;
            long size = -1;
            StringBuilder text = new StringBuilder();
            boolean inPackage = false;
            while (r.hasNext()) {
                int ev = r.next();
                if (ev == XMLStreamConstants.START_ELEMENT) {
                    text.setLength(0);
                    switch (r.getLocalName()) {
                        case "package" -> {
                            inPackage = true;
                            checksum = null;
                            location = null;
                            size = -1;
                        }
                        case "checksum" -> checksumType = r.getAttributeValue(null, "type");
                        case "location" -> location = r.getAttributeValue("http://www.w3.org/XML/1998/namespace", "base")
                                == null ? r.getAttributeValue(null, "href") : null;
                        case "size" -> {
                            String p = r.getAttributeValue(null, "package");
                            size = p == null ? -1 : Long.parseLong(p);
                        }
                        default -> { }
                    }
                } else if (ev == XMLStreamConstants.CHARACTERS && inPackage) {
                    text.append(r.getText());
                } else if (ev == XMLStreamConstants.END_ELEMENT) {
                    if (r.getLocalName().equals("checksum") && inPackage) {
                        checksum = text.toString().strip();
                    } else if (r.getLocalName().equals("package")) {
                        inPackage = false;
                        Optional<Digest> d = Repomd.digest(checksumType, checksum);
                        if (location != null && !location.contains("..") && d.isPresent()
                                && d.get().algorithm() == DigestAlgorithm.SHA256) {
                            listing.add(child(rootPath, location), d.get(), size);
                        }
                    }
                }
            }
        } catch (IOException | XMLStreamException | NumberFormatException e) {
            throw RefreshException.transientFailure("/" + primary.path() + ": unreadable primary data: " + e.getMessage());
        }
    }

    @Override
    public List<String> listingRootFiles(String rootPath) {
        return List.of(child(rootPath, REPOMD));
    }

    @Override
    public Map<String, String> listedBy(String rootPath, InputStream rootFile) throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (Repomd.Data d : Repomd.read(rootFile).data()) {
            d.checksum().filter(c -> c.algorithm() == DigestAlgorithm.SHA256 && d.base().isEmpty())
                    .ifPresent(c -> out.put(child(rootPath, d.location()), c.hex()));
        }
        return out;
    }

    @Override
    public String clientSetup(String publicUrl) {
        return "/etc/yum.repos.d/cache.repo: baseurl=" + publicUrl + "/<path to the directory holding repodata>/";
    }

    private static String child(String root, String name) {
        return root.isEmpty() ? name : root + "/" + name;
    }
}
