package dev.cacheproxy.modes.pypi;

import dev.cacheproxy.core.path.RequestPath;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** What a request below a pypi mount asks for; parsed once, never throws. */
sealed interface PypiRequest {
    /** {@code simple/}: the project list. */
    record Root() implements PypiRequest {}

    /** {@code simple/<normalized>/}; {@code json} when reached by the Go project's {@code simple/<p>/json}. */
    record Project(String name, boolean json) implements PypiRequest {}

    /** A project page under another spelling of its name, or without its trailing slash: moved permanently. */
    record Redirect(String pathBelowMount) implements PypiRequest {}

    /** A file link the proxy wrote into a page. */
    record File(FileLink link) implements PypiRequest {}

    /** Nothing an index has. */
    record Invalid(int status, String reason) implements PypiRequest {}

    /** PEP 508 names: letters, digits, and {@code -_.} inside. */
    Pattern NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?");

    /** PEP 503: lower case, every run of {@code -}, {@code _} and {@code .} one {@code -}. */
    static String normalize(String name) {
        return name.replaceAll("[-_.]+", "-").toLowerCase(Locale.ROOT);
    }

    static PypiRequest of(RequestPath path) {
        List<String> s = path.segments();
        if (s.isEmpty() || (s.size() == 1 && s.get(0).equals("simple"))) {
            return new Root();
        }
        if (s.get(0).equals("files")) {
            return FileLink.parse(s.subList(1, s.size())).<PypiRequest>map(File::new)
                    .orElse(new Invalid(404, "not a file link of this index"));
        }
        if (!s.get(0).equals("simple") || s.size() > 3 || (s.size() == 3 && !s.get(2).equals("json"))) {
            return new Invalid(404, "not an index path (expected simple/<project>/)");
        }
        String name = s.get(1);
        if (!NAME.matcher(name).matches()) {
            return new Invalid(404, "'" + name + "' is not a project name");
        }
        String normalized = normalize(name);
        boolean json = s.size() == 3;
        if (!normalized.equals(name) || (!json && !path.trailingSlash())) {
            return new Redirect("simple/" + normalized + "/" + (json ? "json" : ""));
        }
        return new Project(normalized, json);
    }
}
