package dev.cacheproxy.modes.linuxrepo;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Against a signature gpg made (test resources {@code linuxrepo/signed.db} and its {@code .sig}, a throw-away key). */
class DetachedSignatureTest {
    @Test
    void tellsTheSignedFile_fromAnotherPublication() throws IOException {
        DetachedSignature sig = DetachedSignature.read(resource("signed.db.sig")).orElseThrow();
        assertTrue(sig.madeOver(new ByteArrayInputStream(resource("signed.db"))));
        assertFalse(sig.madeOver(new ByteArrayInputStream(
                "a database of the second publication\n".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void armoredOrForeignBytes_areNotJudged() throws IOException {
        assertTrue(DetachedSignature.read(resource("signed.db.asc")).isEmpty());
        assertTrue(DetachedSignature.read("<html>404</html>".getBytes(StandardCharsets.UTF_8)).isEmpty());
        assertTrue(DetachedSignature.read(new byte[] {(byte) 0x89}).isEmpty());
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = DetachedSignatureTest.class.getResourceAsStream("/linuxrepo/" + name)) {
            return in.readAllBytes();
        }
    }
}
