package dev.cacheproxy.modes.buildcache;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.http.ProxyResponse;
import java.nio.charset.StandardCharsets;

/** {@code {"error": {"code": …, "message": …}}}: the error body of the Vercel remote-cache API that Turborepo parses. */
final class JsonErrors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonErrors() {}

    static ProxyResponse.Document error(int status, String code, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("error").put("code", code).put("message", message);
        return json(status, body.toString());
    }

    static ProxyResponse.Document json(int status, String body) {
        return new ProxyResponse.Document(status, Headers.of("Content-Type", "application/json"),
                body.getBytes(StandardCharsets.UTF_8));
    }
}
