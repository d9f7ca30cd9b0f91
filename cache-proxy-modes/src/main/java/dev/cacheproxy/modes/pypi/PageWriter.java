package dev.cacheproxy.modes.pypi;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes an index page in one form as its entries arrive: PEP 503 HTML (with the PEP 592, 658 and 714
 * attributes) or PEP 691 JSON. {@link #finish} ends the document; the stream is the caller's.
 */
abstract sealed class PageWriter {
    private static final JsonFactory JSON = new JsonFactory();

    /** A project page for {@code name}. */
    static PageWriter project(PageFormat format, OutputStream out, String name) throws IOException {
        return format.json() ? new Json(out, name) : new Html(out, name);
    }

    /** The root page (the project list). */
    static PageWriter root(PageFormat format, OutputStream out) throws IOException {
        return format.json() ? new Json(out, null) : new Html(out, null);
    }

    /** One file of a project page, linked as {@code link} (without fragment). */
    abstract void file(PageFile f, String link) throws IOException;

    /** One project of the root page, linked as {@code link}. */
    abstract void project(String name, String link) throws IOException;

    abstract void finish() throws IOException;

    /** The hash PEP 503 puts in a link's fragment: sha256 when listed, else the first. */
    static Map.Entry<String, String> fragmentHash(Map<String, String> hashes) {
        if (hashes.containsKey("sha256")) {
            return Map.entry("sha256", hashes.get("sha256"));
        }
        return hashes.isEmpty() ? null : hashes.entrySet().iterator().next();
    }

    private static final class Html extends PageWriter {
        private final Writer w;

        Html(OutputStream out, String project) throws IOException {
            this.w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
            String title = project == null ? "Simple index" : "Links for " + escape(project);
            w.write("<!DOCTYPE html>\n<html>\n<head>\n<meta name=\"pypi:repository-version\" content=\"1.0\">\n<title>"
                    + title + "</title>\n</head>\n<body>\n<h1>" + title + "</h1>\n");
        }

        @Override
        void file(PageFile f, String link) throws IOException {
            Map.Entry<String, String> h = fragmentHash(f.hashes());
            w.write("<a href=\"" + escape(link + (h == null ? "" : "#" + h.getKey() + "=" + h.getValue())) + "\"");
            if (f.requiresPython() != null) {
                w.write(" data-requires-python=\"" + escape(f.requiresPython()) + "\"");
            }
            if (f.yanked() != null) {
                w.write(" data-yanked=\"" + escape(f.yanked()) + "\"");
            }
            if (f.gpgSig() != null) {
                w.write(" data-gpg-sig=\"" + f.gpgSig() + "\"");
            }
            if (f.coreMetadata() != null) {
                Map.Entry<String, String> m = fragmentHash(f.coreMetadata());
                String value = m == null ? "true" : escape(m.getKey() + "=" + m.getValue());
                // PEP 714's name, and the older one that pip before 23.3 reads
                w.write(" data-dist-info-metadata=\"" + value + "\" data-core-metadata=\"" + value + "\"");
            }
            w.write(">" + escape(f.filename()) + "</a><br>\n");
        }

        @Override
        void project(String name, String link) throws IOException {
            w.write("<a href=\"" + escape(link) + "\">" + escape(name) + "</a><br>\n");
        }

        @Override
        void finish() throws IOException {
            w.write("</body>\n</html>\n");
            w.flush();
        }

        private static String escape(String s) {
            StringBuilder sb = new StringBuilder(s.length() + 8);
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '&' -> sb.append("&amp;");
                    case '<' -> sb.append("&lt;");
                    case '>' -> sb.append("&gt;");
                    case '"' -> sb.append("&quot;");
                    default -> sb.append(c);
                }
            }
            return sb.toString();
        }
    }

    private static final class Json extends PageWriter {
        private final JsonGenerator g;

        Json(OutputStream out, String project) throws IOException {
            this.g = JSON.createGenerator(out, JsonEncoding.UTF8);
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartObject();
            g.writeObjectFieldStart("meta");
            g.writeStringField("api-version", "1.0");
            g.writeEndObject();
            if (project != null) {
                g.writeStringField("name", project);
                g.writeArrayFieldStart("files");
            } else {
                g.writeArrayFieldStart("projects");
            }
        }

        @Override
        void file(PageFile f, String link) throws IOException {
            g.writeStartObject();
            g.writeStringField("filename", f.filename());
            g.writeStringField("url", link);
            g.writeObjectFieldStart("hashes");
            for (Map.Entry<String, String> h : f.hashes().entrySet()) {
                g.writeStringField(h.getKey(), h.getValue());
            }
            g.writeEndObject();
            if (f.requiresPython() != null) {
                g.writeStringField("requires-python", f.requiresPython());
            }
            if (f.yanked() != null) {
                if (f.yanked().isEmpty()) {
                    g.writeBooleanField("yanked", true);
                } else {
                    g.writeStringField("yanked", f.yanked());
                }
            }
            if (f.gpgSig() != null) {
                g.writeBooleanField("gpg-sig", f.gpgSig());
            }
            if (f.coreMetadata() != null) {
                writeMetadata("core-metadata", f.coreMetadata());
                writeMetadata("dist-info-metadata", f.coreMetadata());
            }
            if (f.size() != null) {
                g.writeNumberField("size", f.size());
            }
            if (f.uploadTime() != null) {
                g.writeStringField("upload-time", f.uploadTime());
            }
            g.writeEndObject();
        }

        private void writeMetadata(String field, Map<String, String> hashes) throws IOException {
            if (hashes.isEmpty()) {
                g.writeBooleanField(field, true);
                return;
            }
            g.writeObjectFieldStart(field);
            for (Map.Entry<String, String> h : hashes.entrySet()) {
                g.writeStringField(h.getKey(), h.getValue());
            }
            g.writeEndObject();
        }

        @Override
        void project(String name, String link) throws IOException {
            g.writeStartObject();
            g.writeStringField("name", name);
            g.writeEndObject();
        }

        @Override
        void finish() throws IOException {
            g.writeEndArray();
            g.writeEndObject();
            g.flush();
        }
    }
}
