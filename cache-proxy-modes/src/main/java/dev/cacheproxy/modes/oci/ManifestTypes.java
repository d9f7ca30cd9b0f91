package dev.cacheproxy.modes.oci;

import dev.cacheproxy.core.http.QualityList;
import java.util.List;

/**
 * Manifest content negotiation. A registry answers a manifest request by tag with the form the client's
 * {@code Accept} allows (an index or one platform's manifest, OCI or Docker), so the negotiated set is
 * part of the cache key and is exactly what is sent upstream: each variant is fetched and stored as the
 * upstream served it, never converted. A request by digest names fixed bytes: it is fetched with every
 * type accepted and served to anyone.
 */
final class ManifestTypes {
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    static final String DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json";
    static final String DOCKER_V1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";
    static final String DOCKER_V1 = "application/vnd.docker.distribution.manifest.v1+json";

    /** Every manifest type, in a fixed order (the order keys and upstream {@code Accept} lists use). */
    static final List<String> KNOWN = List.of(OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_V2, DOCKER_V1_SIGNED, DOCKER_V1);

    /** The whole list, for fetches by digest. */
    static final String ALL = String.join(", ", KNOWN);

    private ManifestTypes() {}

    /**
     * The known manifest types the client accepts, in {@link #KNOWN} order; empty when it names none
     * (no {@code Accept}, or only {@code *}{@code /*} or {@code application/json}): then nothing is sent
     * upstream either and the registry picks its default.
     */
    static List<String> accepted(List<String> acceptHeaders) {
        return KNOWN.stream().filter(t -> QualityList.accepts(acceptHeaders, t)).toList();
    }
}
