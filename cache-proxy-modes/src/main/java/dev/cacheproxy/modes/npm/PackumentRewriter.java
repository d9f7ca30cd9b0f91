package dev.cacheproxy.modes.npm;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Rewrites a packument (full or abbreviated, the shape is the same where it matters) or a version
 * document in one streaming pass: every {@code versions.<v>.dist.tarball} (or top-level {@code dist.tarball}) that points at the upstream registry is moved under
 * this proxy's public base, keeping the path below the registry root, so tarballs come through the
 * proxy and stay under the registry's path prefix (npm's allow-remote check; pitfall N6). URLs on
 * other hosts are left alone. Everything else is copied token by token, so a 30 MiB packument never
 * becomes a tree in memory.
 *
 * <p>The same pass collects each version's {@code dist.integrity} and {@code dist.shasum}, keyed by
 * the tarball's path below the mount, for verifying the tarball fill.
 */
public final class PackumentRewriter {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final URI upstream;
    private final String upstreamPath;
    private final Predicate<String> servable;

    /** @param upstream the registry's base URL as configured ({@code npm.upstream}) */
    public PackumentRewriter(URI upstream) {
        this(upstream, below -> true);
    }

    /**
     * @param servable whether a path below the registry is one the proxy serves as a tarball; URLs of
     *     other shapes on the upstream host (another registry's download layout) are left alone rather
     *     than pointed at a path the proxy would answer with 404
     */
    public PackumentRewriter(URI upstream, Predicate<String> servable) {
        this.upstream = upstream;
        this.servable = servable;
        String p = upstream.getRawPath() == null ? "" : upstream.getRawPath();
        this.upstreamPath = p.endsWith("/") ? p : p + "/";
    }

    /** Which document is rewritten: where its {@code dist} objects are. */
    public enum Shape {
        /** A packument: {@code versions.<v>.dist}. */
        PACKUMENT,
        /** One version's document ({@code /<name>/<version>}): {@code dist} at the top. */
        VERSION
    }

    /** What a tarball fill is checked against; either may be absent. */
    public record Dist(String version, String tarballPath, String integrity, String shasum) {}

    /**
     * Copies {@code in} to {@code out}, rewriting tarball URLs to {@code publicBase} (the instance's
     * public URL, no trailing slash).
     *
     * @return the dist digests by the tarball path below the mount (e.g. {@code @s/p/-/p-1.0.0.tgz})
     */
    public Map<String, Dist> rewrite(InputStream in, OutputStream out, String publicBase) throws IOException {
        return rewrite(in, out, publicBase, Shape.PACKUMENT);
    }

    /** As {@link #rewrite(InputStream, OutputStream, String)}, for a document of the given shape. */
    public Map<String, Dist> rewrite(InputStream in, OutputStream out, String publicBase, Shape shape)
            throws IOException {
        Map<String, DistBuilder> dists = new LinkedHashMap<>();
        try (JsonParser p = JSON.createParser(in); JsonGenerator g = JSON.createGenerator(out)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                String version = t != JsonToken.VALUE_STRING ? null
                        : shape == Shape.PACKUMENT ? distFieldVersion(p.getParsingContext())
                        : topLevelDistField(p.getParsingContext());
                if (version == null) {
                    if (t.isNumeric()) {
                        g.writeNumber(p.getText()); // the number exactly as written (1.5e3 stays 1.5e3)
                    } else {
                        g.copyCurrentEvent(p);
                    }
                    continue;
                }
                DistBuilder d = dists.computeIfAbsent(version, DistBuilder::new);
                String value = p.getText();
                switch (p.currentName()) {
                    case "tarball" -> {
                        String below = pathBelowUpstream(value);
                        if (below != null && servable.test(below)) {
                            d.tarballPath = below;
                            value = publicBase + "/" + below;
                        }
                    }
                    case "integrity" -> d.integrity = value;
                    case "shasum" -> d.shasum = value;
                    default -> { }
                }
                g.writeString(value);
            }
        }
        Map<String, Dist> byPath = new LinkedHashMap<>();
        for (DistBuilder d : dists.values()) {
            if (d.tarballPath != null) {
                byPath.put(d.tarballPath, new Dist(d.version, d.tarballPath, d.integrity, d.shasum));
            }
        }
        return byPath;
    }

    /** For a string value at {@code dist.<field>} of the root object, {@code ""}; otherwise null. */
    private static String topLevelDistField(JsonStreamContext dist) {
        if (!dist.inObject() || dist.getCurrentName() == null) {
            return null;
        }
        JsonStreamContext root = dist.getParent();
        return root != null && root.inObject() && "dist".equals(root.getCurrentName())
                && root.getParent() != null && root.getParent().inRoot() ? "" : null;
    }

    /**
     * For a string value at {@code versions.<v>.dist.<field>} of the root object, the version;
     * otherwise null. The contexts, innermost first: dist object, version object, versions object,
     * root object.
     */
    private static String distFieldVersion(JsonStreamContext dist) {
        if (!dist.inObject() || dist.getCurrentName() == null) {
            return null;
        }
        JsonStreamContext version = dist.getParent();
        if (version == null || !version.inObject() || !"dist".equals(version.getCurrentName())) {
            return null;
        }
        JsonStreamContext versions = version.getParent();
        if (versions == null || !versions.inObject() || versions.getCurrentName() == null) {
            return null;
        }
        JsonStreamContext root = versions.getParent();
        if (root == null || !root.inObject() || !"versions".equals(root.getCurrentName())) {
            return null;
        }
        return root.getParent() != null && root.getParent().inRoot() ? versions.getCurrentName() : null;
    }

    /**
     * The part of {@code url} below the upstream's base path, when it points at the upstream (same
     * host and port; http and https both count, registries mix them); otherwise null.
     */
    String pathBelowUpstream(String url) {
        URI u;
        try {
            u = URI.create(url);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (u.getHost() == null || upstream.getHost() == null
                || !u.getHost().toLowerCase(Locale.ROOT).equals(upstream.getHost().toLowerCase(Locale.ROOT))
                || !samePort(u, upstream)) {
            return null;
        }
        String path = u.getRawPath();
        if (path == null || !path.startsWith(upstreamPath) || path.length() == upstreamPath.length()) {
            return null;
        }
        return path.substring(upstreamPath.length());
    }

    /** Explicit ports must agree; two default ports agree whatever the schemes. */
    private static boolean samePort(URI a, URI b) {
        if (a.getPort() < 0 && b.getPort() < 0) {
            return true;
        }
        return effectivePort(a) == effectivePort(b);
    }

    private static int effectivePort(URI u) {
        if (u.getPort() >= 0) {
            return u.getPort();
        }
        return "http".equalsIgnoreCase(u.getScheme()) ? 80 : 443;
    }

    private static final class DistBuilder {
        final String version;
        String tarballPath;
        String integrity;
        String shasum;

        DistBuilder(String version) {
            this.version = version;
        }
    }
}
