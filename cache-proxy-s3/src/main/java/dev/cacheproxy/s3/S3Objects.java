package dev.cacheproxy.s3;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Predicate;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The few bucket operations the stores need, over the AWS SDK's synchronous client (blocking is what our
 * virtual threads want): head, get, put, delete, list. SDK failures become {@link IOException}s whose
 * messages name the key, never the credentials; a missing key is {@code Optional.empty()} or
 * {@link NoSuchFileException}.
 */
public final class S3Objects implements Closeable {
    private final S3Client client;
    private final String bucket;

    S3Objects(S3Client client, String bucket) {
        this.client = client;
        this.bucket = bucket;
    }

    /** A client for the settings' bucket. */
    public static S3Objects connect(S3Settings s) {
        AwsCredentialsProvider credentials = s.accessKey().isPresent() && s.secretKey().isPresent()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(s.accessKey().get(), s.secretKey().get()))
                : DefaultCredentialsProvider.builder().build();
        var b = S3Client.builder()
                .region(Region.of(s.region()))
                .forcePathStyle(s.pathStyle())
                .credentialsProvider(credentials)
                // S3-compatible services often reject the newer checksum trailers; send them only when required
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(60)).build());
        s.endpoint().ifPresent(b::endpointOverride);
        return new S3Objects(b.build(), s.bucket());
    }

    /** Size and last modification of one object. */
    public record ObjectInfo(String key, long size, Instant lastModified) {}

    public Optional<ObjectInfo> head(String key) throws IOException {
        try {
            HeadObjectResponse r = client.headObject(h -> h.bucket(bucket).key(key));
            return Optional.of(new ObjectInfo(key, r.contentLength(), r.lastModified()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw failure("head", key, e);
        } catch (SdkException e) {
            throw failure("head", key, e);
        }
    }

    /** The object's content to read once (the caller closes it). */
    public InputStream get(String key) throws IOException {
        try {
            ResponseInputStream<GetObjectResponse> in = client.getObject(g -> g.bucket(bucket).key(key));
            return in;
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException(key);
        } catch (SdkException e) {
            throw failure("get", key, e);
        }
    }

    /** A small object's bytes (an index entry), or empty when there is none. */
    public Optional<byte[]> getBytes(String key) throws IOException {
        try {
            return Optional.of(client.getObjectAsBytes(g -> g.bucket(bucket).key(key)).asByteArray());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw failure("get", key, e);
        }
    }

    /** Uploads a file (S3 publishes it whole or not at all). */
    public void put(String key, Path file) throws IOException {
        try {
            client.putObject(p -> p.bucket(bucket).key(key), RequestBody.fromFile(file));
        } catch (SdkException e) {
            throw failure("put", key, e);
        }
    }

    public void put(String key, byte[] bytes) throws IOException {
        try {
            client.putObject(p -> p.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
        } catch (SdkException e) {
            throw failure("put", key, e);
        }
    }

    public void delete(String key) throws IOException {
        try {
            client.deleteObject(d -> d.bucket(bucket).key(key));
        } catch (SdkException e) {
            throw failure("delete", key, e);
        }
    }

    /** Visits every object under {@code prefix}, page by page, until the visitor returns false. */
    public void list(String prefix, Predicate<ObjectInfo> visitor) throws IOException {
        try {
            for (S3Object o : client.listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(bucket).prefix(prefix)
                    .build()).contents()) {
                if (!visitor.test(new ObjectInfo(o.key(), o.size(), o.lastModified()))) {
                    return;
                }
            }
        } catch (SdkException e) {
            throw failure("list", prefix, e);
        }
    }

    /** Creates the bucket (tests; operators create theirs with their own tools). */
    public void createBucket() throws IOException {
        try {
            client.createBucket(c -> c.bucket(bucket));
        } catch (SdkException e) {
            throw failure("create bucket", bucket, e);
        }
    }

    private IOException failure(String what, String key, SdkException e) {
        return new IOException("S3 " + what + " of " + bucket + "/" + key + " failed: " + e.getMessage(), e);
    }

    @Override
    public void close() {
        client.close();
    }
}
