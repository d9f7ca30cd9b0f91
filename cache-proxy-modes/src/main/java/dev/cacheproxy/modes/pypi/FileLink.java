package dev.cacheproxy.modes.pypi;

import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestAlgorithm;
import dev.cacheproxy.core.path.PercentEncoding;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A file link as the proxy writes it into index pages, below the mount:
 * {@code files/<digests>/<scheme>/<host[:port]>/<path>}. The path names where the file lives upstream;
 * {@code <digests>} carries what the page said about it — the file's digest and, after a comma, its
 * core metadata's (PEP 658) — as {@code sha256-<hex>}, or {@code _} when the page gave none. So a file is
 * verified against its page's digest however long ago the page was read, is stored by that digest
 * (the same file reached through two mirrors is one entry), and a {@code .metadata} file (the link with
 * {@code .metadata} appended, as PEP 658 derives it) is verified against the metadata digest. What a
 * client writes into such a path is never trusted beyond that: the target must still be an allowed host
 * ({@link FileHosts}), and a wrong digest only makes the fill fail.
 *
 * @param target the file's upstream URL (no query, fragment or credentials)
 * @param file the digest the page states for the file
 * @param metadata the digest the page states for its core metadata
 */
record FileLink(URI target, Optional<Digest> file, Optional<Digest> metadata) {
    /** What the request asks for, by the target's suffix. */
    enum Kind { DISTRIBUTION, METADATA, SIGNATURE }

    private static final Pattern AUTHORITY = Pattern.compile("[A-Za-z0-9.-]+(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]+\\](:[0-9]{1,5})?");
    private static final String NONE = "_";

    /** A link for {@code target} when the proxy can serve it: http(s), a path, no query or credentials. */
    static Optional<FileLink> of(URI target, Optional<Digest> file, Optional<Digest> metadata) {
        String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || target.getRawAuthority() == null
                || target.getRawUserInfo() != null || target.getRawQuery() != null || target.getRawPath() == null
                || target.getRawPath().length() < 2 || !AUTHORITY.matcher(target.getRawAuthority()).matches()) {
            return Optional.empty();
        }
        try {
            URI clean = new URI(scheme + "://" + target.getRawAuthority() + target.getRawPath());
            return Optional.of(new FileLink(clean, file, metadata));
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    /** The path below the mount that names this link. */
    String pathBelowMount() {
        return "files/" + token(file) + (metadata.isPresent() ? "," + token(metadata) : "") + "/"
                + target.getScheme() + "/" + target.getRawAuthority() + target.getRawPath();
    }

    /**
     * Reads the decoded segments after {@code files/} ({@code <digests>, <scheme>, <authority>, <path...>});
     * empty when they are not a link the proxy writes.
     */
    static Optional<FileLink> parse(List<String> segments) {
        if (segments.size() < 4) {
            return Optional.empty();
        }
        String[] part = new String[4];
        part[0] = segments.get(0);
        part[1] = segments.get(1);
        part[2] = segments.get(2);
        StringBuilder rest = new StringBuilder();
        for (String segment : segments.subList(3, segments.size())) {
            if (!rest.isEmpty()) {
                rest.append('/');
            }
            PercentEncoding.appendSegment(rest, segment);
        }
        part[3] = rest.toString();
        String[] digests = part[0].split(",", -1);
        if (digests.length > 2) {
            return Optional.empty();
        }
        Optional<Digest> file = digest(digests[0]);
        Optional<Digest> metadata = digests.length == 2 ? digest(digests[1]) : Optional.empty();
        if (file == null || metadata == null) {
            return Optional.empty();
        }
        try {
            return of(new URI(part[1] + "://" + part[2] + "/" + part[3]), file, metadata)
                    .filter(l -> l.target().getScheme().equals(part[1]));
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    Kind kind() {
        String path = target.getRawPath();
        if (path.endsWith(".metadata")) {
            return Kind.METADATA;
        }
        return path.endsWith(".asc") || path.endsWith(".sig") || path.endsWith(".minisig") ? Kind.SIGNATURE
                : Kind.DISTRIBUTION;
    }

    /** The digest the body of this request must match, by its kind. */
    Optional<Digest> expected() {
        return switch (kind()) {
            case DISTRIBUTION -> file;
            case METADATA -> metadata;
            case SIGNATURE -> Optional.empty();
        };
    }

    /**
     * The cache key: by digest when one is known (URL-independent), by upstream URL otherwise.
     */
    String key() {
        Optional<Digest> d = expected();
        return d.map(x -> kind().name().toLowerCase(Locale.ROOT) + "/" + x.algorithm().label() + "/" + x.hex())
                .orElseGet(() -> "url/" + target.getScheme() + "/" + target.getRawAuthority() + target.getRawPath());
    }

    private static String token(Optional<Digest> d) {
        return d.map(x -> x.algorithm().label() + "-" + x.hex()).orElse(NONE);
    }

    /** A digest token; null when malformed (empty when {@code _}). */
    private static Optional<Digest> digest(String token) {
        if (token.equals(NONE)) {
            return Optional.empty();
        }
        int dash = token.indexOf('-');
        if (dash <= 0) {
            return null;
        }
        try {
            return Optional.of(new Digest(DigestAlgorithm.parse(token.substring(0, dash)), token.substring(dash + 1)));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
