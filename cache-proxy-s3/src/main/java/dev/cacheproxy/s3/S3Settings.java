package dev.cacheproxy.s3;

import java.net.URI;
import java.util.Optional;

/**
 * The {@code storage.s3} block: the bucket and the key prefix everything goes under, the region, an
 * endpoint for S3-compatible services (with path-style addressing, which most of them need), and the
 * credentials (from the YAML, usually as {@code ${VAR}}; else the SDK's default chain: environment,
 * profile, instance role). {@code localMaxSize} bounds this node's disk tier of blobs.
 */
public record S3Settings(String bucket, String prefix, String region, Optional<URI> endpoint, boolean pathStyle,
        Optional<String> accessKey, Optional<String> secretKey, long localMaxSize) {
    public static final String DEFAULT_REGION = "us-east-1";
    public static final long DEFAULT_LOCAL_MAX_SIZE = 10L << 30;

    public S3Settings {
        prefix = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
    }

    /** Never prints the credentials. */
    @Override
    public String toString() {
        return "s3://" + bucket + "/" + prefix + " (region " + region + endpoint.map(e -> ", endpoint " + e).orElse("")
                + (pathStyle ? ", path-style" : "") + (accessKey.isPresent() ? ", static credentials" : "") + ")";
    }
}
