package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.s3.S3ProxyServer;
import dev.cacheproxy.s3.S3Settings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bucket that cannot be used stops the start with one clear line, which never shows the secret. */
class StorageBackendTest {
    @TempDir
    Path dir;

    @Test
    void aMissingBucketFailsAtStartUp_namingItButNotTheSecret() throws Exception {
        S3Settings real = S3ProxyServer.shared().settings("no-such-bucket", "p/");
        S3Settings withSecret = new S3Settings(real.bucket(), real.prefix(), real.region(), real.endpoint(), true,
                Optional.of(S3ProxyServer.IDENTITY), Optional.of("the-secret-" + S3ProxyServer.CREDENTIAL), 1 << 20);
        IOException e = assertThrows(IOException.class, () -> StorageBackend.open(dir, Optional.of(withSecret)));
        assertTrue(e.getMessage().contains("s3://no-such-bucket/p/"), e.getMessage());
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains("the-secret-"), t.getMessage());
        }
        // the local tier's lock was released: the directory can be used again
        StorageBackend.open(dir, Optional.empty()).blobs().close();
    }
}
