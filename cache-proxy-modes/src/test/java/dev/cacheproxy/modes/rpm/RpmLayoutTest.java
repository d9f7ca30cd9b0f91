package dev.cacheproxy.modes.rpm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cacheproxy.core.digest.DigestAlgorithm;
import dev.cacheproxy.modes.linuxrepo.PathKind;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Path classes and repomd.xml reading. */
class RpmLayoutTest {
    private final RpmLayout layout = new RpmLayout();

    @Test
    void classify() {
        assertEquals(new PathKind.Metadata("fedora/39/x86_64", true, null), layout.classify("fedora/39/x86_64/repodata/repomd.xml"));
        assertEquals(new PathKind.Metadata("el", true, null), layout.classify("el/repodata/repomd.xml.asc"));
        assertEquals(new PathKind.Metadata("", true, null), layout.classify("repodata/repomd.xml"));
        assertEquals(new PathKind.Metadata("el", false, null), layout.classify("el/repodata/abc-primary.xml.gz"));
        assertEquals(new PathKind.Artifact(), layout.classify("el/Packages/h/hello-1.0-1.noarch.rpm"));
        assertEquals(new PathKind.Artifact(), layout.classify("el/drpms/hello-1.0-1_1.1-1.noarch.drpm"));
        assertEquals(new PathKind.Unknown(), layout.classify("el/media.1/media"));
        assertEquals(new PathKind.Unknown(), layout.classify("el/repodata/sub/x"));
    }

    @Test
    void repomd_listsDataWithChecksums_andSkipsRemoteOnes() throws IOException {
        String xml = """
                <?xml version="1.0" encoding="UTF-8"?>
                <repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
                  <revision>1</revision>
                  <data type="primary">
                    <checksum type="sha256">%s</checksum>
                    <location href="repodata/p-primary.xml.gz"/>
                  </data>
                  <data type="other">
                    <checksum type="sha">%s</checksum>
                    <location href="repodata/o-other.xml.gz"/>
                  </data>
                  <data type="filelists">
                    <checksum type="sha256">%s</checksum>
                    <location xml:base="https://mirror.example.test/" href="repodata/f-filelists.xml.gz"/>
                  </data>
                </repomd>
                """.formatted("a".repeat(64), "b".repeat(40), "c".repeat(64));
        Repomd r = Repomd.read(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        assertEquals(3, r.data().size());
        assertEquals(DigestAlgorithm.SHA1, r.data().get(1).checksum().orElseThrow().algorithm());
        assertEquals("https://mirror.example.test/", r.data().get(2).base().orElseThrow());
        assertEquals(Map.of("el/repodata/p-primary.xml.gz", "a".repeat(64)),
                layout.listedBy("el", new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))));
    }
}
