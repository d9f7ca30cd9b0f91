package dev.cacheproxy.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;

/**
 * The home page for browsers: one HTML page, no external assets, rendered on the server from the status
 * report (so it is a plain table without JavaScript), then refreshed every 5 seconds by a small script
 * that fetches {@code /-/status} and redraws the rows, with a sparkline of each instance's requests per
 * interval. Every value is escaped (server side) or set as text (script side): keys and status lines come
 * from clients and upstreams.
 */
final class Dashboard {
    private Dashboard() {}

    static byte[] render(JsonNode status, String metricsPath) {
        StringBuilder h = new StringBuilder(8192);
        h.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>cache-proxy</title><style>").append(CSS).append("</style></head><body>");
        h.append("<header><h1>cache-proxy</h1><p id=\"summary\">").append(esc(summary(status))).append("</p></header>");
        h.append("<main><table id=\"instances\"><thead><tr><th>instance</th><th>mode</th><th>client setup</th>")
                .append("<th>requests</th><th>hit ratio</th><th>fills</th><th>traffic</th></tr></thead><tbody>");
        for (JsonNode i : status.path("instances")) {
            h.append("<tr data-name=\"").append(esc(i.path("name").asText())).append("\"><td><b>")
                    .append(esc(i.path("name").asText())).append("</b><br><a href=\"").append(esc(i.path("url").asText()))
                    .append("\">").append(esc(i.path("url").asText())).append("</a>");
            for (JsonNode line : i.path("status")) {
                h.append("<div class=\"st\">").append(esc(line.asText())).append("</div>");
            }
            h.append("</td><td>").append(esc(i.path("mode").asText())).append("</td><td><code>")
                    .append(esc(i.path("setup").asText())).append("</code></td><td class=\"n\">")
                    .append(i.path("requests").asLong()).append("</td><td class=\"n\">").append(ratio(i.path("hit_ratio")))
                    .append("</td><td class=\"n\">").append(i.path("fills_in_flight").asLong())
                    .append("</td><td><svg class=\"spark\" viewBox=\"0 0 120 24\"></svg></td></tr>");
        }
        h.append("</tbody></table><h2>Upstreams</h2><table id=\"upstreams\"><thead><tr><th>host</th><th>circuit</th>")
                .append("<th>weight</th></tr></thead><tbody>");
        for (JsonNode u : status.path("upstreams")) {
            h.append("<tr><td>").append(esc(u.path("host").asText())).append("</td><td class=\"c-")
                    .append(esc(u.path("state").asText())).append("\">").append(esc(u.path("state").asText()))
                    .append("</td><td class=\"n\">").append(String.format(java.util.Locale.ROOT, "%.2f", u.path("weight").asDouble()))
                    .append("</td></tr>");
        }
        h.append("</tbody></table></main><footer>JSON: <a href=\"/-/status\">/-/status</a> · metrics: <a href=\"")
                .append(esc(metricsPath)).append("\">").append(esc(metricsPath))
                .append("</a> · <a href=\"/-/readyz\">readiness</a></footer><script>").append(SCRIPT)
                .append("</script></body></html>");
        return h.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String summary(JsonNode s) {
        JsonNode st = s.path("storage");
        return "version " + s.path("version").asText() + " · up " + s.path("uptime_seconds").asLong() + " s · storage ("
                + st.path("backend").asText() + ") " + AdminEndpoints.StorageView.line(st.path("stored_bytes").asLong(),
                        st.path("stored_objects").asLong(), st.path("quota_bytes").asLong(), st.path("free_bytes").asLong(),
                        st.path("full").asBoolean());
    }

    private static String ratio(JsonNode r) {
        return r.isNull() || r.isMissingNode() ? "–" : String.format(java.util.Locale.ROOT, "%.1f%%", 100 * r.asDouble());
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
            code{font-size:12px;white-space:pre-wrap;word-break:break-all}
            .st{color:#555;font-size:12px}.spark{width:120px;height:24px}
            .c-closed{color:#1a7f37}.c-degraded{color:#9a6700}.c-half-open{color:#9a6700}.c-open{color:#cf222e}
            footer{margin-top:1.5em;color:#666;font-size:12px}
            """;

    /** Refreshes the rows from /-/status every 5 s and draws each instance's requests per interval. */
    private static final String SCRIPT = """
            (function () {
              var history = {}, last = {};
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
                  var cells = row.children;
                  text(cells[3], i.requests);
                  text(cells[4], pct(i.hit_ratio));
                  text(cells[5], i.fills_in_flight);
                  var h = history[i.name] || (history[i.name] = []);
                  if (last[i.name] !== undefined) { h.push(i.requests - last[i.name]); }
                  if (h.length > 30) { h.shift(); }
                  last[i.name] = i.requests;
                  spark(cells[6].querySelector('svg'), h);
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
