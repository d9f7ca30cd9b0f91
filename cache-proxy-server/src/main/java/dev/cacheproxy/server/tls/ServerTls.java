package dev.cacheproxy.server.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of TLS for every listener: a Netty {@link SslContext} built from the PEM files of
 * {@link TlsSettings}, TLS 1.3 and 1.2 only, with forward-secret AEAD cipher suites for 1.2 (the list
 * HTTP/2 requires, RFC 7540 §9.2.2). Every {@code reload_interval} the files' modification times and sizes
 * are compared with those last loaded; when they changed, a new context is built and new connections use
 * it, while open connections keep the one they started with. A file that does not load (a half-written
 * rotation, a key that does not match) is logged and the previous certificate stays in service.
 *
 * <p>Thread-safe: the context is swapped atomically; handlers are created on the event loops.
 */
public final class ServerTls implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final TlsSettings settings;
    private final SslProvider provider;
    private final ScheduledExecutorService watcher;
    private volatile Loaded current;

    /** A context and what it was built from. */
    private record Loaded(SslContext context, List<FileTime> stamps, X509Certificate leaf) {}

    private ServerTls(TlsSettings settings, SslProvider provider, Loaded first) {
        this.settings = settings;
        this.provider = provider;
        this.current = first;
        this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cp-tls-reload");
            t.setDaemon(true);
            return t;
        });
        long every = settings.reloadInterval().toMillis();
        watcher.scheduleWithFixedDelay(this::reloadIfChanged, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Loads the files of {@code settings}; throws {@link IllegalArgumentException} naming the YAML key of
     * the file that is missing or unreadable.
     */
    public static ServerTls open(TlsSettings settings) {
        SslProvider provider = provider(settings.provider());
        Loaded first = load(settings, provider);
        LOG.info("TLS with {} ({}): certificate {} for {}, valid until {}{}", provider == SslProvider.OPENSSL
                ? "BoringSSL" : "the JDK's provider", String.join(", ", PROTOCOLS), settings.certificate(),
                first.leaf().getSubjectX500Principal().getName(), first.leaf().getNotAfter().toInstant(),
                settings.clientCa().map(ca -> "; client certificates " + settings.clientAuth().name().toLowerCase(Locale.ROOT)
                        + ", issued by " + ca).orElse(""));
        warnIfNotValidNow(first, settings);
        return new ServerTls(settings, provider, first);
    }

    /**
     * Served all the same (clients refuse it, which says more than a server that does not start; the expiry
     * metric and its alert say it too), but the log says why every client is failing.
     */
    private static void warnIfNotValidNow(Loaded loaded, TlsSettings settings) {
        Instant now = Instant.now();
        Instant notAfter = loaded.leaf().getNotAfter().toInstant();
        Instant notBefore = loaded.leaf().getNotBefore().toInstant();
        if (now.isAfter(notAfter) || now.isBefore(notBefore)) {
            LOG.warn("TLS: the certificate {} is not valid now (valid from {} until {}): clients will refuse it",
                    settings.certificate(), notBefore, notAfter);
        }
    }

    /** The implementation {@code wanted} resolves to on this machine. */
    static SslProvider provider(TlsSettings.Provider wanted) {
        return switch (wanted) {
            case JDK -> SslProvider.JDK;
            case OPENSSL -> {
                if (!OpenSsl.isAvailable()) {
                    throw new IllegalArgumentException("server.tls.provider: openssl is not available here ("
                            + OpenSsl.unavailabilityCause() + "); use auto or jdk");
                }
                yield SslProvider.OPENSSL;
            }
            case AUTO -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        };
    }

    /** A handler for one new connection, with the certificate in service now. */
    public SslHandler newHandler(ByteBufAllocator alloc) {
        return current.context().newHandler(alloc);
    }

    /** {@code openssl} or {@code jdk}: what serves TLS here. */
    public String providerName() {
        return provider == SslProvider.OPENSSL ? "openssl" : "jdk";
    }

    /** When the certificate in service expires. */
    public Instant notAfter() {
        return current.leaf().getNotAfter().toInstant();
    }

    /** Rebuilds the context when a file changed since it was loaded (called by the watcher; public for tests). */
    public void reloadIfChanged() {
        Loaded now = current;
        List<FileTime> stamps;
        try {
            stamps = stamps(settings);
        } catch (IOException e) {
            LOG.warn("TLS: cannot check the certificate files ({}); the loaded certificate stays in service", e.toString());
            return;
        }
        if (stamps.equals(now.stamps())) {
            return;
        }
        try {
            Loaded next = load(settings, provider);
            current = next;
            LOG.info("TLS: certificate reloaded from {}: {}, valid until {}", settings.certificate(),
                    next.leaf().getSubjectX500Principal().getName(), next.leaf().getNotAfter().toInstant());
            warnIfNotValidNow(next, settings);
        } catch (IllegalArgumentException e) {
            // Likely a rotation caught half-way (the certificate written, the key not yet): try again next time.
            LOG.warn("TLS: the changed certificate files do not load ({}); the previous certificate stays in service",
                    e.getMessage());
        }
    }

    private static Loaded load(TlsSettings s, SslProvider provider) {
        try {
            List<FileTime> stamps = stamps(s);
            X509Certificate leaf = leaf(s.certificate());
            KeyPairCheck.requireMatch(leaf, s.certificate(), s.key());
            SslContextBuilder b = SslContextBuilder.forServer(s.certificate().toFile(), s.key().toFile())
                    .sslProvider(provider)
                    .protocols(PROTOCOLS)
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1));
            if (s.clientCa().isPresent()) {
                b.trustManager(s.clientCa().get().toFile());
                b.clientAuth(s.clientAuth() == TlsSettings.ClientAuth.OPTIONAL ? ClientAuth.OPTIONAL : ClientAuth.REQUIRE);
            }
            return new Loaded(b.build(), stamps, leaf);
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException("server.tls: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("server.tls: the certificate " + s.certificate() + " and key " + s.key()
                    + " do not load (PEM, the key in PKCS#8: 'openssl pkcs8 -topk8 -nocrypt' converts one): "
                    + Objects.requireNonNullElse(e.getMessage(), e.toString()), e);
        }
    }

    private static X509Certificate leaf(Path chain) throws IOException, CertificateException {
        try (InputStream in = Files.newInputStream(chain)) {
            var certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new CertificateException(chain + " holds no PEM certificate");
            }
            return (X509Certificate) certs.iterator().next();
        }
    }

    private static List<FileTime> stamps(TlsSettings s) throws IOException {
        List<FileTime> out = new ArrayList<>();
        List<Path> files = new ArrayList<>(List.of(s.certificate(), s.key()));
        s.clientCa().ifPresent(files::add);
        for (Path p : files) {
            out.add(Files.getLastModifiedTime(p));
            out.add(FileTime.fromMillis(Files.size(p)));
        }
        return out;
    }

    @Override
    public void close() {
        watcher.shutdownNow();
    }
}
