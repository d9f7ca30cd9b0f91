package dev.cacheproxy.s3;

import dev.cacheproxy.core.blob.BlobStore;
import dev.cacheproxy.core.testing.BlobStoreContract;
import java.nio.file.Files;

/** The blob store contract, against a real S3 server (S3Proxy) with a local tier in a temp directory. */
class S3BlobStoreTest extends BlobStoreContract {
    @Override
    protected BlobStore newStore() throws Exception {
        S3Settings s = S3ProxyServer.shared().newBucket();
        return S3BlobStore.open(S3Objects.connect(s), "cache/", Files.createTempDirectory("s3-local-"),
                s.localMaxSize());
    }
}
