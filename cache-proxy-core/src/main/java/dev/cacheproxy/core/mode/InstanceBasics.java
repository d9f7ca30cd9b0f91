package dev.cacheproxy.core.mode;

import dev.cacheproxy.core.config.ConfigBlock;
import dev.cacheproxy.core.config.Expiration;
import dev.cacheproxy.core.upstream.TransportSettings;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * What every instance has, whatever its mode: where it is served, its upstream base(s), how it talks to
 * them, how long a 404 is remembered, when entries expire, and which client headers go upstream. Read
 * in one call ({@link #reader}), so that a new mode reads them the same way, with the same errors, as
 * every other.
 *
 * @param upstreams the upstream bases, tried in order (one for the registry modes)
 * @param passHeaders client headers copied upstream (empty for modes without {@code pass_headers})
 */
public record InstanceBasics(Mount mount, List<URI> upstreams, TransportSettings transport, Duration negativeCacheFor,
        Expiration expireAfter, List<String> passHeaders) {

    public InstanceBasics {
        upstreams = List.copyOf(upstreams);
        passHeaders = List.copyOf(passHeaders);
    }

    /** The upstream of a single-upstream mode. */
    public URI upstream() {
        return upstreams.getFirst();
    }

    /**
     * A reader for a mode's block; {@code who} names the mode in messages ({@code "npm mode"}). By default
     * the instance is mounted at {@code route.path} and has one {@code upstream}.
     */
    public static Reader reader(String who) {
        return new Reader(who);
    }

    /** How a mode spells its basics in YAML. */
    public static final class Reader {
        private final String who;
        private boolean bound;
        private boolean list;
        private String listKey = "upstreams";
        private boolean passHeaders;
        private String what = "the upstream URL";
        private String exampleVariable = "UPSTREAM";

        private Reader(String who) {
            this.who = who;
        }

        /** Served on a listener of its own ({@code bind: host:port}) rather than below {@code route.path}. */
        public Reader bound() {
            this.bound = true;
            return this;
        }

        /**
         * One required {@code upstream: URL}; when missing, the message says "{@code <who> requires
         * <what>} (e.g. upstream: ${exampleVariable})".
         */
        public Reader upstream(String what, String exampleVariable) {
            this.list = false;
            this.what = what;
            this.exampleVariable = exampleVariable;
            return this;
        }

        /** {@code upstreams: [URL, ...]}, tried in order, at least one. */
        public Reader upstreams() {
            return upstreams("upstreams");
        }

        /** A list of upstream URLs under {@code key} ({@code proxies} for go), tried in order, at least one. */
        public Reader upstreams(String key) {
            this.list = true;
            this.listKey = key;
            return this;
        }

        /** The mode has {@code pass_headers} (file and the Linux repository modes). */
        public Reader passHeaders() {
            this.passHeaders = true;
            return this;
        }

        /** Reads the basics from {@code b}, recording every problem on it (values are then not used). */
        public InstanceBasics read(ConfigBlock b) {
            Mount mount = bound ? SharedBlocks.bind(b) : SharedBlocks.route(b);
            List<URI> upstreams;
            if (list) {
                upstreams = SharedBlocks.upstreams(b, listKey, who);
            } else {
                URI one = SharedBlocks.upstream(b, who + " requires " + what, exampleVariable);
                upstreams = one == null ? List.of() : List.of(one);
            }
            List<String> headers = passHeaders ? SharedBlocks.passHeaders(b) : List.of();
            return new InstanceBasics(mount, upstreams, SharedBlocks.transport(b), SharedBlocks.negativeCacheFor(b),
                    SharedBlocks.expireAfter(b), headers);
        }
    }
}
