package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The maven mode proven by the real {@code mvn}: an upstream repository built with {@code mvn deploy}
 * (test resource {@code maven/make-repository.sh}; plugins taken offline from the local repository of
 * this machine, {@code ~/.m2/repository}, never from the internet) served by nginx; a consumer whose
 * dependencies and plugins all come through cache-proxy via a {@code mirrorOf *} mirror, including a
 * timestamped SNAPSHOT with a classifier; then the same build with a fresh local repository and the
 * upstream stopped.
 */
class MavenRealClientIT {
    private static final String MAVEN_INSTANCE = """
              - name: maven
                enabled: true
                maven:
                  route: { path: /maven }
                  upstream: ${UPSTREAM}
            """;

    @TempDir
    Path work;

    @Test
    void mvnBuild_throughTheProxy_thenWithTheUpstreamStopped() throws Exception {
        Path root = work.resolve("up");
        Path consumer = work.resolve("consumer");
        Path script = Path.of(MavenRealClientIT.class.getResource("/maven/make-repository.sh").toURI());
        Path plugins = Path.of(System.getProperty("user.home"), ".m2", "repository");
        Commands.run(work, List.of("bash", script.toString(), root.resolve("maven").toString(), consumer.toString(),
                plugins.toString()), 300);
        try (NginxUpstream upstream = new NginxUpstream(work.resolve("nginx"), root, "")) {
            upstream.start();
            try (TestProxy proxy = TestProxy.start(work.resolve("backend"), "", MAVEN_INSTANCE, upstream.url("/maven"))) {
                Path settings = work.resolve("settings.xml");
                Files.writeString(settings, "<settings><mirrors><mirror><id>proxy</id><mirrorOf>*</mirrorOf><url>http://127.0.0.1:"
                        + proxy.port() + "/maven</url></mirror></mirrors></settings>");
                String first = mvn(consumer, settings, work.resolve("repo-1"));
                assertTrue(first.contains("com.example.local:hello-lib:jar:sources:1.2-SNAPSHOT"), first);
                assertTrue(first.contains("com.example.local:hello-app:jar:1.0"), first);
                long served = upstream.accessLog().stream().filter(l -> l.contains(" 200 ")).count();
                assertTrue(served > 100, "plugins and dependencies came from the upstream: " + served);
                assertTrue(upstream.accessLog().stream().anyMatch(l -> l.startsWith(
                        "GET /maven/org/apache/maven/plugins/maven-compiler-plugin/3.13.0/maven-compiler-plugin-3.13.0.jar ")));

                mvnOverHttps(consumer, upstream);

                upstream.stop();
                String offline = mvn(consumer, settings, work.resolve("repo-2"));
                assertTrue(offline.contains("com.example.local:hello-lib:jar:sources:1.2-SNAPSHOT"), offline);
            }
        }
    }

    private static String mvn(Path project, Path settings, Path localRepo) throws Exception {
        return Commands.run(project, List.of("mvn", "-B", "-ntp", "-s", settings.toString(),
                "-Dmaven.repo.local=" + localRepo, "package", "dependency:tree"), 300);
    }

    /** The same build through a TLS proxy, mvn trusting the test CA through a PKCS#12 truststore in MAVEN_OPTS. */
    private void mvnOverHttps(Path consumer, NginxUpstream upstream) throws Exception {
        TestCa ca = TestCa.create(work.resolve("tls-ca"), "maven test CA");
        TestCa.Issued server = ca.server("localhost", "DNS:localhost");
        Path trust = work.resolve("truststore.p12");
        Commands.run(work, List.of("keytool", "-importcert", "-noprompt", "-storetype", "PKCS12", "-keystore", trust.toString(),
                "-storepass", "changeit", "-alias", "test-ca", "-file", ca.certificate().toString()), 60);
        try (TestProxy tls = TestProxy.start(work.resolve("backend-tls"), TestCa.tlsYaml(server, null), MAVEN_INSTANCE,
                upstream.url("/maven"))) {
            Path settings = work.resolve("settings-https.xml");
            Files.writeString(settings, "<settings><mirrors><mirror><id>proxy</id><mirrorOf>*</mirrorOf><url>https://localhost:"
                    + tls.port() + "/maven</url></mirror></mirrors></settings>");
            String out = Commands.run(consumer, List.of("env", "MAVEN_OPTS=-Djavax.net.ssl.trustStore=" + trust
                    + " -Djavax.net.ssl.trustStorePassword=changeit -Djavax.net.ssl.trustStoreType=PKCS12", "mvn", "-B", "-ntp",
                    "-s", settings.toString(), "-Dmaven.repo.local=" + work.resolve("repo-https"), "package", "dependency:tree"),
                    300);
            assertTrue(out.contains("com.example.local:hello-app:jar:1.0"), out);
        }
    }

}
