package dev.cacheproxy.server.tls;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code server.tls}: the certificate chain and private key (PEM files; the key in PKCS#8), an optional
 * client CA for mutual TLS and whether a client certificate is required, the TLS implementation, and how
 * often the files are checked for a new certificate.
 */
public record TlsSettings(Path certificate, Path key, Optional<Path> clientCa, ClientAuth clientAuth, Provider provider,
        Duration reloadInterval) {

    public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(10);

    /** Whether clients present a certificate: only meaningful with a {@code client_ca}. */
    public enum ClientAuth { NONE, OPTIONAL, REQUIRE }

    /**
     * {@code openssl}: BoringSSL through Netty's native bindings; {@code jdk}: the JDK's provider;
     * {@code auto}: BoringSSL where its native library loads on this machine, else the JDK's.
     */
    public enum Provider { AUTO, OPENSSL, JDK }
}
