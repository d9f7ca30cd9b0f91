package dev.cacheproxy.modes.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestTypesTest {
    @Test
    void acceptedTypesInAFixedOrder_whateverTheClientsOrderAndSplitting() {
        assertEquals(List.of(ManifestTypes.OCI_INDEX, ManifestTypes.DOCKER_V2), ManifestTypes.accepted(
                List.of(ManifestTypes.DOCKER_V2 + ", application/json", ManifestTypes.OCI_INDEX + ";q=0.5")));
        assertEquals(List.of(ManifestTypes.OCI_MANIFEST), ManifestTypes.accepted(
                List.of(ManifestTypes.OCI_MANIFEST + ", " + ManifestTypes.OCI_INDEX + ";q=0")));
        assertEquals(List.of(), ManifestTypes.accepted(List.of("*/*")));
        assertEquals(List.of(), ManifestTypes.accepted(List.of()));
    }
}
