package dev.cacheproxy.server;

import dev.cacheproxy.core.mode.Mount;
import dev.cacheproxy.server.config.AppConfig;
import dev.cacheproxy.server.config.ConfigException;
import dev.cacheproxy.server.config.ConfigLoader;
import dev.cacheproxy.server.config.ConfigProblems;
import dev.cacheproxy.server.tls.ServerTls;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.jar.Manifest;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command line: {@code cache-proxy -config FILE [-validate]} (also {@code --config},
 * {@code --validate}), {@code --version}, {@code --help}. Exit codes: 0 success (or clean shutdown on
 * SIGTERM/SIGINT), 1 configuration or start-up error, 2 usage error.
 */
@Command(name = "cache-proxy", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A caching reverse proxy for package registries.")
public final class Main implements Callable<Integer> {
    @Option(names = {"-config", "--config"}, paramLabel = "FILE", description = "The YAML configuration file.")
    Path config;

    @Option(names = {"-validate", "--validate"}, description = "Check the configuration, print a summary and exit.")
    boolean validate;

    private final PrintWriter out;
    private final PrintWriter err;

    Main(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(args, out, err));
    }

    /** Runs the command and returns its exit code (the test entry point). */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main(out, err));
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("cache-proxy: " + ex.getMessage());
            err.println("usage: cache-proxy -config FILE [-validate]   (see --help)");
            return 2;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        if (config == null) {
            err.println("cache-proxy: missing required -config FILE (see --help)");
            return 2;
        }
        String text;
        try {
            text = Files.readString(config, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            err.println("cache-proxy: config file " + config + " does not exist");
            return 1;
        } catch (IOException e) {
            err.println("cache-proxy: cannot read config file " + config + ": " + e.getMessage());
            return 1;
        }
        AppConfig cfg;
        try {
            cfg = ConfigLoader.withSystemEnv().load(text);
        } catch (ConfigException e) {
            err.println("cache-proxy: " + config + " has " + e.problems().size() + " problem(s):");
            for (ConfigProblems.Problem p : e.problems()) {
                err.println("  " + p);
            }
            return 1;
        }
        if (validate) {
            return validate(cfg);
        }
        return serve(cfg);
    }

    private int validate(AppConfig cfg) {
        try {
            cfg.server().tls().map(ServerTls::open).ifPresent(ServerTls::close);
        } catch (IllegalArgumentException e) {
            err.println("cache-proxy: " + config + ": " + e.getMessage());
            return 1;
        }
        try {
            Application.dryBuild(cfg);
        } catch (IOException | RuntimeException e) {
            err.println("cache-proxy: " + config + ": an instance cannot be built: " + e.getMessage());
            return 1;
        }
        out.println(config + ": OK");
        out.println("  listen  " + (cfg.server().tls().isPresent() ? "https" : "http") + "://" + cfg.server().bind()
                + "/   storage " + cfg.server().backend()
                + cfg.storage().s3().map(s -> " + " + s).orElse("")
                + "   metrics " + cfg.metrics().path() + (cfg.metrics().token().isPresent() ? " (token)" : ""));
        for (AppConfig.Instance i : cfg.instances()) {
            String where = switch (i.mount()) {
                case Mount.Path p -> p.path();
                case Mount.Bind b -> "bind " + b.hostPort();
            };
            out.printf("  %-20s %-8s %-24s %s%n", i.name(), i.mode().key(), where, i.enabled() ? "enabled" : "disabled");
        }
        for (String w : cfg.warnings()) {
            out.println("  warning: " + w);
        }
        return 0;
    }

    private int serve(AppConfig cfg) {
        Application app;
        try {
            app = Application.start(cfg);
        } catch (IOException | RuntimeException e) {
            err.println("cache-proxy: cannot start: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runnable stop = () -> {
            app.stop();
            stopped.countDown();
        };
        // Handle TERM and INT ourselves so that a graceful stop exits 0 (a shutdown hook would exit 143).
        for (String sig : new String[] {"TERM", "INT"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(sig), s -> Thread.ofPlatform().name("shutdown").start(stop));
        }
        // HUP (systemctl reload cache-proxy, via the launcher): read the file again; a valid one replaces the access rules.
        sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> Thread.ofPlatform().name("reload").start(() -> reload(app)));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** Reads the configuration file again and hands it to {@code app}; a file with problems changes nothing. */
    private void reload(Application app) {
        try {
            app.reload(ConfigLoader.withSystemEnv().load(Files.readString(config, StandardCharsets.UTF_8)));
        } catch (ConfigException e) {
            err.println("cache-proxy: reload refused, " + config + " has " + e.problems().size() + " problem(s):");
            for (ConfigProblems.Problem p : e.problems()) {
                err.println("  " + p);
            }
            err.flush();
        } catch (IOException | RuntimeException e) {
            err.println("cache-proxy: reload refused: " + e.getMessage());
            err.flush();
        }
    }

    /** The version and the commit from the jar manifest (set by the build). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"cache-proxy " + (v == null ? "dev" : v) + " (commit " + commit() + ")"};
        }

        private static String commit() {
            try (InputStream in = Main.class.getResourceAsStream("/META-INF/MANIFEST.MF")) {
                String c = in == null ? null : new Manifest(in).getMainAttributes().getValue("Build-Commit");
                return c == null || c.isBlank() ? "unknown" : c;
            } catch (IOException e) {
                return "unknown";
            }
        }
    }
}
