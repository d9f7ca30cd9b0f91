/**
 * The {@code oci} mode: a pull-through cache of one container registry (the read side of the OCI
 * Distribution API) on a listener of its own. {@link dev.cacheproxy.modes.oci.OciRequest} parses the API
 * routes, {@link dev.cacheproxy.modes.oci.ManifestTypes} negotiates manifest media types,
 * {@link dev.cacheproxy.modes.oci.RegistryAuth} speaks the registry token flow to the upstream, and
 * {@link dev.cacheproxy.modes.oci.OciErrors} answers in the registry's JSON error shape.
 */
package dev.cacheproxy.modes.oci;
