package dev.cacheproxy.modes.cargo;

import java.net.URI;
import java.util.Locale;

/**
 * The {@code dl} field of a sparse registry's {@code config.json}: a URL template with the markers
 * {@code {crate}}, {@code {version}}, {@code {prefix}}, {@code {lowerprefix}} and
 * {@code {sha256-checksum}}; without any marker, cargo appends {@code /{crate}/{version}/download}.
 */
record DownloadTemplate(String template) {
    private static final String[] MARKERS = {"{crate}", "{version}", "{prefix}", "{lowerprefix}", "{sha256-checksum}"};

    /** The download URL of {@code crate} {@code version} whose checksum is {@code sha256} (hex). */
    URI expand(String crate, String version, String sha256) {
        String t = template;
        if (!hasMarker()) {
            t = (t.endsWith("/") ? t.substring(0, t.length() - 1) : t) + "/{crate}/{version}/download";
        }
        return URI.create(t.replace("{crate}", crate).replace("{version}", version)
                .replace("{prefix}", prefix(crate)).replace("{lowerprefix}", prefix(crate.toLowerCase(Locale.ROOT)))
                .replace("{sha256-checksum}", sha256));
    }

    /** Where downloads are below: the template up to its first marker, cut back to a {@code /}. */
    URI base() {
        int first = template.length();
        for (String m : MARKERS) {
            int i = template.indexOf(m);
            if (i >= 0) {
                first = Math.min(first, i);
            }
        }
        String head = template.substring(0, first);
        if (first == template.length()) {
            return URI.create(head.endsWith("/") ? head : head + "/");
        }
        return URI.create(head.substring(0, head.lastIndexOf('/') + 1));
    }

    private boolean hasMarker() {
        for (String m : MARKERS) {
            if (template.contains(m)) {
                return true;
            }
        }
        return false;
    }

    /** The index directory of a name: {@code 1}, {@code 2}, {@code 3/a}, {@code ab/cd}. */
    static String prefix(String name) {
        return switch (name.length()) {
            case 1 -> "1";
            case 2 -> "2";
            case 3 -> "3/" + name.charAt(0);
            default -> name.substring(0, 2) + "/" + name.substring(2, 4);
        };
    }
}
