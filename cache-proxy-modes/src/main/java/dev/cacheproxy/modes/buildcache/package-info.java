/**
 * The {@code buildcache} mode: a hosted cache that builds write to and every other machine reads from,
 * speaking the HTTP protocols of the build tools' remote caches on one mount: a key store for ccache (all
 * three layouts), Gradle's {@code HttpBuildCache}, Bazel's HTTP cache ({@code /ac/}, and {@code /cas/} whose
 * bodies are checked against their SHA-256 key), Maven's build cache extension, Turborepo's
 * {@code /v8/artifacts} and Nx's {@code /v1/cache}. Uploads are streamed into
 * the shared blob store and published whole ({@link dev.cacheproxy.core.cache.HostedStore}); who may write is
 * the instance's {@code access} block.
 */
package dev.cacheproxy.modes.buildcache;
