package dev.cacheproxy.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cacheproxy.core.config.ByteSize;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The home page for browsers: one HTML page, no external assets, rendered on the server from the status
 * report (so it is a plain table without JavaScript), then refreshed every 5 seconds by a small script
 * that fetches {@code /-/status} and redraws the rows; each instance's sparkline is its requests per 10 s over
 * the last five minutes, drawn on the server too. Every value is escaped (server side) or set as text (script side): keys and status lines come
 * from clients and upstreams.
 */
final class Dashboard {
    private Dashboard() {}

    static byte[] render(JsonNode status, String metricsPath) {
        StringBuilder h = new StringBuilder(8192);
        h.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                // no favicon request: the page needs nothing from the server but itself and /-/status
                .append("<link rel=\"icon\" href=\"data:,\">")
                .append("<title>cache-proxy</title><style>").append(CSS).append("</style></head><body>");
        h.append("<header><h1>cache-proxy</h1><p id=\"summary\">").append(esc(summary(status))).append("</p></header>");
        h.append("<main><table id=\"instances\"><thead><tr><th>instance</th><th>mode</th><th>client setup</th>")
                .append("<th>requests</th><th>hit ratio</th><th>last 5 min</th><th>fills</th><th>stored</th></tr></thead><tbody>");
        for (JsonNode i : status.path("instances")) {
            JsonNode last = i.path("last_5m");
            h.append("<tr data-name=\"").append(esc(i.path("name").asText())).append("\"><td data-label=\"instance\"><b>")
                    .append(esc(i.path("name").asText())).append("</b><br><a href=\"").append(esc(i.path("url").asText()))
                    .append("\">").append(esc(i.path("url").asText())).append("</a>");
            for (JsonNode u : i.path("upstreams")) {
                h.append("<div class=\"st\">\u2192 <span class=\"c-").append(esc(u.path("state").asText())).append("\">")
                        .append(esc(u.path("url").asText())).append("</span></div>");
            }
            for (JsonNode r : i.path("roots")) {
                h.append("<div class=\"st\">").append(esc(root(r))).append("</div>");
            }
            h.append("</td><td data-label=\"mode\">").append(esc(i.path("mode").asText()))
                    .append("</td><td class=\"setup\" data-label=\"client setup\"><code>")
                    .append(esc(i.path("setup").asText())).append("</code></td><td class=\"n\" data-label=\"requests\">")
                    .append(i.path("requests").asLong()).append("</td><td class=\"n\" data-label=\"hit ratio\">")
                    .append(ratio(i.path("hit_ratio"))).append("</td><td class=\"n\" data-label=\"last 5 min\">")
                    .append(last.path("requests").asLong()).append(" req, ")
                    .append(ratio(last.path("hit_ratio"))).append("<br>").append(spark(last.path("requests_per_10s")))
                    .append("</td><td class=\"n\" data-label=\"fills\">").append(i.path("fills_in_flight").asLong())
                    .append("</td><td class=\"n\" data-label=\"stored\">")
                    .append(ByteSize.format(i.path("stored").path("bytes").asLong()))
                    .append("</td></tr>");
        }
        h.append("</tbody></table><h2>Upstreams</h2><table id=\"upstreams\"><thead><tr><th>host</th><th>circuit</th>")
                .append("<th>weight</th><th>last success</th><th>last error</th></tr></thead><tbody>");
        for (JsonNode u : status.path("upstreams")) {
            h.append("<tr><td>").append(esc(u.path("host").asText())).append("</td><td class=\"c-")
                    .append(esc(u.path("state").asText())).append("\">").append(esc(u.path("state").asText()))
                    .append("</td><td class=\"n\">").append(String.format(Locale.ROOT, "%.2f", u.path("weight").asDouble()))
                    .append("</td><td>").append(esc(u.path("last_success").asText("never"))).append("</td><td>");
            if (!u.path("last_error").isNull()) {
                h.append(esc(u.path("last_failure").asText())).append(": ").append(esc(u.path("last_error").asText()));
            }
            h.append("</td></tr>");
        }
        h.append("</tbody></table></main><footer>JSON: <a href=\"/-/status\">/-/status</a> · metrics: <a href=\"")
                .append(esc(metricsPath)).append("\">").append(esc(metricsPath))
                .append("</a> · <a href=\"/-/readyz\">readiness</a></footer><script>").append(SCRIPT)
                .append("</script></body></html>");
        return h.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** One root in a line: path, state, generation and its age, and the last error. */
    private static String root(JsonNode r) {
        StringBuilder b = new StringBuilder(r.path("path").asText()).append(' ').append(r.path("state").asText());
        if (r.path("generation").isNull()) {
            b.append(", no generation yet");
        } else {
            b.append(", generation ").append(r.path("generation").asText()).append(" (")
                    .append(r.path("age_seconds").asLong()).append(" s old, ").append(r.path("packages").asLong())
                    .append(" packages)").append(r.path("expired").asBoolean() ? " EXPIRED" : "");
        }
        if (!r.path("last_error").isNull()) {
            b.append("; last error: ").append(r.path("last_error").asText());
        }
        return b.toString();
    }

    /** Requests per 10 s over the last five minutes as an inline SVG polyline (drawn without JavaScript). */
    static String spark(JsonNode perBucket) {
        int n = perBucket.size();
        StringBuilder b = new StringBuilder("<svg class=\"spark\" viewBox=\"0 0 120 24\">");
        if (n >= 2) {
            long max = 1;
            for (JsonNode p : perBucket) {
                max = Math.max(max, p.asLong());
            }
            b.append("<polyline fill=\"none\" stroke=\"#0969da\" points=\"");
            for (int k = 0; k < n; k++) {
                b.append(String.format(Locale.ROOT, "%.1f,%.1f ", k * 120.0 / (n - 1), 23 - 22.0 * perBucket.get(k).asLong() / max));
            }
            b.append("\"/>");
        }
        return b.append("</svg>").toString();
    }

    private static String summary(JsonNode s) {
        JsonNode st = s.path("storage");
        return "version " + s.path("version").asText() + " · up " + s.path("uptime_seconds").asLong() + " s · storage ("
                + st.path("backend").asText() + ") " + AdminEndpoints.StorageView.line(st.path("stored_bytes").asLong(),
                        st.path("stored_objects").asLong(), st.path("quota_bytes").asLong(), st.path("free_bytes").asLong(),
                        st.path("full").asBoolean());
    }

    private static String ratio(JsonNode r) {
        return r.isNull() || r.isMissingNode() ? "–" : String.format(Locale.ROOT, "%.1f%%", 100 * r.asDouble());
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static final String CSS = """
            body{font:14px/1.4 system-ui,sans-serif;margin:0;padding:1em;color:#222;background:#fafafa}
            h1{font-size:1.4em;margin:0}h2{font-size:1.1em;margin:1.2em 0 .4em}
            table{border-collapse:collapse;width:100%;background:#fff;display:block;overflow-x:auto}
            th,td{text-align:left;padding:.35em .6em;border-bottom:1px solid #e4e4e4;vertical-align:top}
            td.n{text-align:right;font-variant-numeric:tabular-nums}
            code{font-size:12px;white-space:pre-wrap;overflow-wrap:anywhere}td.setup{min-width:16em}
            .st{color:#555;font-size:12px}.spark{width:120px;height:24px}
            .c-closed{color:#1a7f37}.c-degraded{color:#9a6700}.c-half-open{color:#9a6700}.c-open{color:#cf222e}
            footer{margin-top:1.5em;color:#666;font-size:12px}
            @media (max-width:700px){
              #instances thead{display:none}
              #instances,#instances tbody,#instances tr,#instances td{display:block}
              #instances tr{border-bottom:2px solid #ccc;padding:.3em 0}
              #instances td{border:0;padding:.1em .6em;text-align:left}
              #instances td[data-label]:not(:first-child)::before{content:attr(data-label) ": ";color:#666}
              td.setup{min-width:0}
            }
            """;

    /** Refreshes the rows from /-/status every 5 s and draws each instance's requests per interval. */
    private static final String SCRIPT = """
            (function () {
              function text(el, value) { el.textContent = value; return el; }
              function pct(r) { return r === null || r === undefined ? '\\u2013' : (100 * r).toFixed(1) + '%'; }
              function spark(svg, points) {
                while (svg.firstChild) { svg.removeChild(svg.firstChild); }
                if (points.length < 2) { return; }
                var max = Math.max.apply(null, points.concat([1]));
                var d = points.map(function (p, i) {
                  return (i * 120 / (points.length - 1)).toFixed(1) + ',' + (23 - 22 * p / max).toFixed(1);
                }).join(' ');
                var line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
                line.setAttribute('points', d);
                line.setAttribute('fill', 'none');
                line.setAttribute('stroke', '#0969da');
                svg.appendChild(line);
              }
              function update(status) {
                var st = status.storage;
                document.getElementById('summary').textContent = document.getElementById('summary').textContent
                  .replace(/up \\d+ s/, 'up ' + status.uptime_seconds + ' s');
                status.instances.forEach(function (i) {
                  var row = document.querySelector('tr[data-name="' + CSS.escape(i.name) + '"]');
                  if (!row) { return; }
                  var cells = row.children, recent = cells[5];
                  text(cells[3], i.requests);
                  text(cells[4], pct(i.hit_ratio));
                  var svg = recent.querySelector('svg');
                  recent.firstChild.textContent = i.last_5m.requests + ' req, ' + pct(i.last_5m.hit_ratio);
                  spark(svg, i.last_5m.requests_per_10s);
                  text(cells[6], i.fills_in_flight);
                });
                document.body.setAttribute('data-updated', String(Date.now()));
                document.body.setAttribute('data-storage', st.full ? 'full' : 'ok');
              }
              function poll() {
                fetch('/-/status', {cache: 'no-store'}).then(function (r) { return r.json(); })
                  .then(update).catch(function () { /* the next poll tries again */ });
              }
              poll();
              setInterval(poll, 5000);
            })();
            """;
}
