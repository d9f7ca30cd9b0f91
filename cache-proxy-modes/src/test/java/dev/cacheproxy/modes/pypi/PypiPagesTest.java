package dev.cacheproxy.modes.pypi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.path.RequestPath;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Pages read in either form and written in either, with every attribute kept; names, links and negotiation. */
class PypiPagesTest {
    private static final String SHA = "2a0d60c172f83ac6ab31e4554906c0f3b3588d37b5cb939b1c061f4907e278e0";
    private static final String META = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final URI PAGE = URI.create("http://index.example.test/simple/demo/");
    private static final String PROXY = "http://proxy.example.test/pypi";

    @TempDir
    Path state;

    private static final String HTML_PAGE = "<!DOCTYPE html><html><head><meta name=\"pypi:repository-version\" content=\"1.0\">"
            + "<!-- <a href=\"commented.whl\">no</a> --></head><body>\n"
            + "<a href=\"../../files/demo-1.0-py3-none-any.whl#sha256=" + SHA + "\" data-requires-python=\"&gt;=3.7\" "
            + "data-dist-info-metadata=\"sha256=" + META + "\" data-core-metadata=\"sha256=" + META + "\">demo-1.0-py3-none-any.whl</a><br/>\n"
            + "<A HREF='https://files.example.test/packages/ab/demo-0.9.tar.gz#md5=0123456789abcdef0123456789abcdef' "
            + "data-yanked=\"broken &amp; bad\">demo-0.9.tar.gz</A>\n"
            + "<a href=\"https://files.example.test/x/demo-0.8.zip?token=1\">demo-0.8.zip</a>\n"
            + "</body></html>\n";

    private String rewrite(String source, boolean json, PageFormat format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FileHosts hosts = FileHosts.load(URI.create("http://index.example.test/"), List.of(), state);
        new PageRewriter(hosts).project(new ByteArrayInputStream(source.getBytes(StandardCharsets.UTF_8)), json, PAGE,
                "demo", format, PROXY, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void html_toJson_keepsHashesRequiresPythonYankedAndCoreMetadata_linksUnderTheProxy() throws IOException {
        JsonNode page = new ObjectMapper().readTree(rewrite(HTML_PAGE, false, PageFormat.JSON));
        assertEquals("1.0", page.at("/meta/api-version").asText());
        assertEquals("demo", page.get("name").asText());
        JsonNode files = page.get("files");
        assertEquals(3, files.size(), "the commented-out anchor is not a file");
        JsonNode wheel = files.get(0);
        assertEquals("demo-1.0-py3-none-any.whl", wheel.get("filename").asText());
        assertEquals(PROXY + "/files/sha256-" + SHA + ",sha256-" + META
                + "/http/index.example.test/files/demo-1.0-py3-none-any.whl", wheel.get("url").asText());
        assertEquals(SHA, wheel.at("/hashes/sha256").asText());
        assertEquals(">=3.7", wheel.get("requires-python").asText());
        assertEquals(META, wheel.at("/core-metadata/sha256").asText());
        assertEquals(META, wheel.at("/dist-info-metadata/sha256").asText());
        assertFalse(wheel.has("yanked"));
        JsonNode sdist = files.get(1);
        assertEquals("broken & bad", sdist.get("yanked").asText());
        assertTrue(sdist.get("url").asText().startsWith(PROXY + "/files/md5-0123456789abcdef0123456789abcdef/https/"
                + "files.example.test/packages/ab/demo-0.9.tar.gz"));
        assertEquals("https://files.example.test/x/demo-0.8.zip?token=1", files.get(2).get("url").asText(),
                "a link with a query is passed on as it is");
    }

    @Test
    void json_toHtml_keepsEveryAttribute() throws IOException {
        String json = "{\"meta\":{\"api-version\":\"1.1\"},\"name\":\"demo\",\"versions\":[\"1.0\"],\"files\":[{"
                + "\"filename\":\"demo-1.0.tar.gz\",\"url\":\"https://files.example.test/p/demo-1.0.tar.gz\","
                + "\"hashes\":{\"sha256\":\"" + SHA + "\"},\"requires-python\":\"<4,>=3.8\",\"yanked\":true,"
                + "\"core-metadata\":true,\"gpg-sig\":false,\"size\":12,\"upload-time\":\"2024-01-01T00:00:00Z\"}]}";
        String html = rewrite(json, true, PageFormat.HTML);
        assertTrue(html.contains("<a href=\"" + PROXY + "/files/sha256-" + SHA
                + "/https/files.example.test/p/demo-1.0.tar.gz#sha256=" + SHA + "\" data-requires-python=\"&lt;4,&gt;=3.8\""
                + " data-yanked=\"\" data-gpg-sig=\"false\" data-dist-info-metadata=\"true\" data-core-metadata=\"true\">"
                + "demo-1.0.tar.gz</a>"), html);
        JsonNode back = new ObjectMapper().readTree(rewrite(json, true, PageFormat.JSON)).get("files").get(0);
        assertEquals(12, back.get("size").asLong());
        assertTrue(back.get("yanked").asBoolean());
        assertEquals("2024-01-01T00:00:00Z", back.get("upload-time").asText());
    }

    @Test
    void htmlToHtml_roundTripsThroughTheReader() throws IOException {
        String once = rewrite(HTML_PAGE, false, PageFormat.HTML);
        List<PageFile> files = new ArrayList<>();
        SimplePages.readProject(new ByteArrayInputStream(once.getBytes(StandardCharsets.UTF_8)), false,
                URI.create(PROXY + "/simple/demo/"), files::add);
        assertEquals(3, files.size());
        assertEquals(">=3.7", files.get(0).requiresPython());
        assertEquals("broken & bad", files.get(1).yanked());
        assertEquals(META, files.get(0).coreMetadata().get("sha256"));
    }

    @Test
    void rootPage_linksEveryProjectToTheProxy_byNormalisedName() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PageRewriter(FileHosts.load(URI.create("http://index.example.test/"), List.of(), state)).root(
                new ByteArrayInputStream("<html><body><a href=\"/simple/Hello_World/\">Hello_World</a></body></html>"
                        .getBytes(StandardCharsets.UTF_8)), false, PageFormat.JSON, PROXY, out);
        assertEquals("{\"meta\":{\"api-version\":\"1.0\"},\"projects\":[{\"name\":\"Hello_World\"}]}", out.toString());
        out.reset();
        new PageRewriter(FileHosts.load(URI.create("http://index.example.test/"), List.of(), state)).root(
                new ByteArrayInputStream("{\"meta\":{\"api-version\":\"1.0\"},\"projects\":[{\"name\":\"A.b\"}]}"
                        .getBytes(StandardCharsets.UTF_8)), true, PageFormat.HTML, PROXY, out);
        assertTrue(out.toString().contains("<a href=\"" + PROXY + "/simple/a-b/\">A.b</a>"), out.toString());
    }

    @Test
    void filesHostsLinkedFromPages_areAllowed_andRemembered() throws IOException {
        FileHosts hosts = FileHosts.load(URI.create("http://index.example.test/"), List.of(), state);
        URI file = URI.create("https://files.example.test/packages/ab/demo-0.9.tar.gz");
        assertTrue(hosts.baseOf(file).isEmpty());
        rewrite(HTML_PAGE, false, PageFormat.HTML);
        FileHosts reloaded = FileHosts.load(URI.create("http://index.example.test/"), List.of(), state);
        assertEquals(Optional.of(URI.create("https://files.example.test/packages/")), reloaded.baseOf(file));
        assertTrue(reloaded.baseOf(URI.create("https://files.example.test/private/key")).isEmpty(), "only where pages link");
        assertTrue(reloaded.baseOf(URI.create("https://elsewhere.example.test/x.whl")).isEmpty());
        FileHosts configured = FileHosts.load(URI.create("http://index.example.test/"),
                List.of(URI.create("https://mirror.example.test/")), state);
        assertTrue(configured.baseOf(file).isEmpty(), "configured hosts replace learning");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01|JSON|HTML_V1",
            "application/vnd.pypi.simple.v1+html, text/html;q=0.5|HTML_V1|HTML_V1",
            "text/html|HTML|HTML",
            "*/*|HTML|HTML",
            "''|HTML|HTML",
            "application/vnd.pypi.simple.latest+json|JSON|HTML",
            "application/vnd.pypi.simple.v1+json;q=0.2, text/html|HTML|HTML"})
    void negotiation(String accept, PageFormat expected, PageFormat withoutJson) {
        Headers h = accept.isEmpty() ? Headers.EMPTY : Headers.of("Accept", accept);
        assertEquals(expected, PageFormat.negotiate(h, true));
        assertEquals(withoutJson, PageFormat.negotiate(h, false), "proxy_json: false");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "/simple/|Root", "/|Root", "/simple/demo/|Project", "/simple/demo/json|Project",
            "/simple/Demo_Pkg/|Redirect", "/simple/demo|Redirect", "/simple/a..b/|Redirect",
            "/simple/-x/|Invalid", "/simple/x/y/|Invalid", "/packages/x|Invalid",
            "/files/_/http/h.example.test/x.whl|File", "/files/_/gopher/h/x|Invalid", "/files/zz/http/h/x.whl|Invalid"})
    void requests(String path, String kind) {
        assertEquals(kind, PypiRequest.of(RequestPath.parse(path)).getClass().getSimpleName());
    }

    @Test
    void redirect_goesToTheNormalisedName() {
        var r = assertInstanceOf(PypiRequest.Redirect.class, PypiRequest.of(RequestPath.parse("/simple/Zope.Interface/")));
        assertEquals("simple/zope-interface/", r.pathBelowMount());
    }

    @Test
    void fileLink_roundTrips_andIsKeyedByDigest() {
        Digest sha = Digest.sha256(SHA);
        FileLink link = FileLink.of(URI.create("https://files.example.test/p/demo-1.0.whl"), Optional.of(sha),
                Optional.of(Digest.sha256(META))).orElseThrow();
        var parsed = assertInstanceOf(PypiRequest.File.class, PypiRequest.of(RequestPath.parse("/" + link.pathBelowMount())));
        assertEquals(link, parsed.link());
        assertEquals("distribution/sha256/" + SHA, link.key());
        var metadata = assertInstanceOf(PypiRequest.File.class,
                PypiRequest.of(RequestPath.parse("/" + link.pathBelowMount() + ".metadata"))).link();
        assertEquals(FileLink.Kind.METADATA, metadata.kind());
        assertEquals(Optional.of(Digest.sha256(META)), metadata.expected());
        assertTrue(FileLink.of(URI.create("https://user:pw@files.example.test/p/x.whl"), Optional.empty(),
                Optional.empty()).isEmpty(), "never a link with credentials");
    }
}
