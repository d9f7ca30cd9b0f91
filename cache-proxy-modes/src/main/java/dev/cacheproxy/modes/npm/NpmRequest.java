package dev.cacheproxy.modes.npm;

import dev.cacheproxy.core.path.RequestPath;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What an npm request below the mount asks for, decided from the path alone.
 *
 * <p>Scoped names arrive as {@code @scope%2fname} (npm, any case of the escape) or as
 * {@code @scope/name}; the path was decoded exactly once by {@link RequestPath}, so the first form is
 * one segment containing {@code /} and the second is two segments. Both become the same name here,
 * and every route accepts both (pitfall N5).
 */
sealed interface NpmRequest {
    /** A packument, {@code /<name>} (full or abbreviated, by the client's Accept). */
    record Packument(String name) implements NpmRequest {}

    /** One version's manifest or a dist-tag's, {@code /<name>/<version-or-tag>} (Dependabot, {@code npm view}). */
    record Version(String name, String spec) implements NpmRequest {}

    /** A tarball, {@code /<name>/-/<file>.tgz}; {@code path} is the normalised path below the mount. */
    record Tarball(String name, String path) implements NpmRequest {}

    /** A registry API call below {@code /-/} (ping, search, dist-tags, audit, whoami): forwarded, never stored. */
    record Api(String path) implements NpmRequest {}

    /** Nothing npm asks for (the mount root, a malformed name): answered 400 or 404 with {@code reason}. */
    record Invalid(int status, String reason) implements NpmRequest {}

    /** Package names as the registry accepts them (lower and upper case: legacy names have capitals). */
    Pattern NAME_PART = Pattern.compile("[A-Za-z0-9._~!*'()-][A-Za-z0-9._~!*'()-]*");

    static NpmRequest of(RequestPath path) {
        List<String> s = normalised(path.segments());
        if (s.isEmpty()) {
            return new Invalid(404, "no package name below the registry mount");
        }
        if (s.get(0).equals("-")) {
            return new Api(String.join("/", s)); // e.g. /-/package/@scope%2fname/dist-tags: forwarded as sent
        }
        if (s.stream().anyMatch(seg -> seg.indexOf('/') >= 0)) {
            return new Invalid(400, "an encoded slash (%2F) belongs only between a scope and a package name");
        }
        boolean scoped = s.get(0).startsWith("@");
        int nameLength = scoped ? 2 : 1;
        if (s.size() < nameLength) {
            return new Invalid(400, "scope without a package name: " + s.get(0));
        }
        String name = String.join("/", s.subList(0, nameLength));
        if (!validName(s, scoped)) {
            return new Invalid(400, "not a valid package name: " + name);
        }
        List<String> rest = s.subList(nameLength, s.size());
        if (rest.isEmpty()) {
            return new Packument(name);
        }
        if (isTarball(rest)) {
            return new Tarball(name, String.join("/", s));
        }
        if (rest.size() == 1 && !rest.get(0).equals("-")) {
            return new Version(name, rest.get(0));
        }
        return new Invalid(404, "not an npm registry path: " + String.join("/", s));
    }

    /** {@code -/<file>.tgz}, or the old scoped form {@code -/@scope/<file>.tgz}. */
    private static boolean isTarball(List<String> rest) {
        return (rest.size() == 2 || rest.size() == 3) && rest.get(0).equals("-")
                && rest.get(rest.size() - 1).endsWith(".tgz");
    }

    private static boolean validName(List<String> s, boolean scoped) {
        if (scoped) {
            String scope = s.get(0).substring(1);
            return NAME_PART.matcher(scope).matches() && NAME_PART.matcher(s.get(1)).matches()
                    && !s.get(1).startsWith(".");
        }
        return NAME_PART.matcher(s.get(0)).matches() && !s.get(0).startsWith(".") && !s.get(0).startsWith("_");
    }

    /** Splits a decoded {@code @scope/name} segment so both spellings of a scoped name look alike. */
    private static List<String> normalised(List<String> segments) {
        List<String> out = new ArrayList<>(segments.size() + 1);
        for (int i = 0; i < segments.size(); i++) {
            String seg = segments.get(i);
            int slash = seg.indexOf('/');
            if (i == 0 && seg.startsWith("@") && slash > 0) {
                out.add(seg.substring(0, slash));
                out.add(seg.substring(slash + 1));
            } else {
                out.add(seg);
            }
        }
        return out;
    }
}
