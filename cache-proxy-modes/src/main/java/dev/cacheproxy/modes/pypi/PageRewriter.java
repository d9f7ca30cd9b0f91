package dev.cacheproxy.modes.pypi;

import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestAlgorithm;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a stored page (either form) into the page a client gets (the form it asked for), with every
 * file link moved under the proxy as a {@link FileLink} carrying the page's digests, and every project
 * link of the root page pointing at the proxy's own project page. A link the proxy cannot serve (not
 * http(s), or with a query) is passed on unchanged. Each file host a page links to is reported to
 * {@link FileHosts}.
 */
final class PageRewriter {
    /** Hash names the proxy verifies, strongest first. */
    private static final List<DigestAlgorithm> VERIFIED = List.of(DigestAlgorithm.SHA256, DigestAlgorithm.SHA512,
            DigestAlgorithm.SHA1, DigestAlgorithm.MD5);

    private final FileHosts hosts;

    PageRewriter(FileHosts hosts) {
        this.hosts = hosts;
    }

    /** A project page, read from {@code source} (fetched from {@code pageUrl}). */
    void project(InputStream source, boolean sourceJson, URI pageUrl, String project, PageFormat format,
            String publicBase, OutputStream out) throws IOException {
        PageWriter w = PageWriter.project(format, out, project);
        SimplePages.readProject(source, sourceJson, pageUrl, f -> w.file(f, link(f, publicBase)));
        w.finish();
    }

    /** The root page. */
    void root(InputStream source, boolean sourceJson, PageFormat format, String publicBase, OutputStream out)
            throws IOException {
        PageWriter w = PageWriter.root(format, out);
        SimplePages.readRoot(source, sourceJson,
                name -> w.project(name, publicBase + "/simple/" + PypiRequest.normalize(name) + "/"));
        w.finish();
    }

    private String link(PageFile f, String publicBase) {
        Optional<FileLink> link = FileLink.of(URI.create(f.url()), verified(f.hashes()), verified(f.coreMetadata()));
        if (link.isEmpty()) {
            return f.url();
        }
        hosts.linkedFrom(link.get().target());
        return publicBase + "/" + link.get().pathBelowMount();
    }

    /** The strongest digest among {@code hashes} the proxy can check; empty when none. */
    static Optional<Digest> verified(Map<String, String> hashes) {
        if (hashes == null) {
            return Optional.empty();
        }
        for (DigestAlgorithm a : VERIFIED) {
            String hex = hashes.get(a.label());
            if (hex != null) {
                try {
                    return Optional.of(new Digest(a, hex));
                } catch (IllegalArgumentException malformed) {
                    // a malformed digest vouches for nothing
                }
            }
        }
        return Optional.empty();
    }
}
