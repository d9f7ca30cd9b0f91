package dev.cacheproxy.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A real squid, the HTTP proxy offices run, on a free loopback port in the foreground: it wants Basic credentials
 * (one user, checked by squid's own {@code basic_ncsa_auth}), forwards plain HTTP and opens {@code CONNECT} tunnels
 * to any port, and caches nothing (every request reaches the upstream). Its access log names the user of each
 * request. squid is a test dependency ({@code bin/test-tools}); a missing squid fails.
 */
final class SquidProxy implements AutoCloseable {
    private final Path dir;
    private final int port;
    private Process process;

    /** Starts squid accepting {@code user} with {@code password}. */
    SquidProxy(String user, String password) throws IOException, InterruptedException {
        // squid started as root works as the "proxy" user: its directory must be open to it
        dir = Files.createTempDirectory("squid", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxrwxrwx")));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String hash = Commands.run(dir, List.of("openssl", "passwd", "-apr1", password), 30).trim();
        Files.writeString(dir.resolve("passwd"), user + ":" + hash + "\n");
        Files.writeString(dir.resolve("squid.conf"), """
                http_port 127.0.0.1:%2$d
                pid_filename %1$s/squid.pid
                cache_log %1$s/cache.log
                access_log stdio:%1$s/access.log squid
                coredump_dir %1$s
                cache deny all
                auth_param basic program /usr/lib/squid/basic_ncsa_auth %1$s/passwd
                auth_param basic realm office
                acl office proxy_auth REQUIRED
                http_access allow office
                http_access deny all
                shutdown_lifetime 0 seconds
                """.formatted(dir, port));
        String squid = Files.isExecutable(Path.of("/usr/sbin/squid")) ? "/usr/sbin/squid" : "squid"; // sbin: not on every PATH
        process = Commands.startServer(List.of(squid, "-N", "-f", dir.resolve("squid.conf").toString()),
                dir.resolve("stdout.log"), port, 30);
    }

    /** The proxy's URL with {@code userInfo} ({@code user:password@}, URL-encoded, or empty) before its host. */
    String url(String userInfo) {
        return "http://" + userInfo + "127.0.0.1:" + port;
    }

    /** squid's access log so far: one line per request, with its status and the user it was made for. */
    String accessLog() throws IOException {
        Path log = dir.resolve("access.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() throws Exception {
        Commands.stopServer(process);
        Commands.deleteTree(dir);
    }
}
