package dev.cacheproxy.modes.rpm;

import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestAlgorithm;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * A {@code repomd.xml}: the data files of a repository ({@code primary}, {@code filelists}, {@code other},
 * {@code updateinfo}, {@code modules}, {@code group}, their sqlite and zchunk variants), each with its
 * location below the root and its checksum.
 */
record Repomd(List<Data> data) {
    /**
     * One {@code <data>} entry. {@code checksum} is empty for a checksum type we do not know;
     * {@code base} is its {@code xml:base} (the file lives elsewhere; clients fetch it there).
     */
    record Data(String type, String location, Optional<Digest> checksum, Optional<String> base) {}

    static final long MAX_BYTES = 4L * 1024 * 1024;

    static Repomd read(InputStream in) throws IOException {
        List<Data> out = new ArrayList<>();
        try {
            XMLStreamReader r = factory().createXMLStreamReader(in);
            String type = null;
            String location = null;
            String base = null;
            String checksumType = null;
            String checksum = null;
            StringBuilder text = new StringBuilder();
            while (r.hasNext()) {
                int ev = r.next();
                if (ev == XMLStreamConstants.START_ELEMENT) {
                    text.setLength(0);
                    switch (r.getLocalName()) {
                        case "data" -> {
                            type = r.getAttributeValue(null, "type");
                            location = null;
                            base = null;
                            checksum = null;
                            checksumType = null;
                        }
                        case "location" -> {
                            location = r.getAttributeValue(null, "href");
                            base = r.getAttributeValue("http://www.w3.org/XML/1998/namespace", "base");
                        }
                        case "checksum" -> checksumType = r.getAttributeValue(null, "type");
                        default -> { }
                    }
                } else if (ev == XMLStreamConstants.CHARACTERS) {
                    text.append(r.getText());
                } else if (ev == XMLStreamConstants.END_ELEMENT) {
                    switch (r.getLocalName()) {
                        case "checksum" -> checksum = text.toString().strip();
                        case "data" -> {
                            if (type != null && location != null) {
                                out.add(new Data(type, location, digest(checksumType, checksum), Optional.ofNullable(base)));
                            }
                            type = null;
                        }
                        default -> { }
                    }
                }
            }
        } catch (XMLStreamException e) {
            throw new IOException("not a repomd.xml: " + e.getMessage(), e);
        }
        return new Repomd(List.copyOf(out));
    }

    /** {@code sha} is SHA-1 in old repositories; sha224/sha384 and unknown types verify nothing. */
    static Optional<Digest> digest(String type, String hex) {
        if (type == null || hex == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Digest(DigestAlgorithm.parse(type.equals("sha") ? "sha1" : type), hex));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** A StAX factory that reads no external entities or DTDs (a repository's XML is untrusted input). */
    static XMLInputFactory factory() {
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        return f;
    }
}
