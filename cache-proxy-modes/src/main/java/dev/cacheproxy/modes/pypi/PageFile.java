package dev.cacheproxy.modes.pypi;

import java.util.Map;

/**
 * One file of a project page, with everything PEP 503, 592, 658, 691 and 714 let a page say about it,
 * read from either form so that it can be written in either.
 *
 * @param filename the file's name
 * @param url where the file is, absolute (resolved against the page's URL)
 * @param hashes digests by hash name ({@code sha256} -> hex), in the page's order
 * @param requiresPython the {@code Requires-Python} specifier, or null
 * @param yanked null when not yanked; the reason (possibly empty) when yanked (PEP 592)
 * @param coreMetadata null when the page says nothing; empty when metadata exists without a digest;
 *     otherwise its digests by hash name (PEP 658/714)
 * @param gpgSig whether a {@code .asc} signature exists, or null when the page says nothing
 * @param size the file's size when the page gives it (PEP 700), or null
 * @param uploadTime the upload time when the page gives it (PEP 700), or null
 */
record PageFile(String filename, String url, Map<String, String> hashes, String requiresPython, String yanked,
        Map<String, String> coreMetadata, Boolean gpgSig, Long size, String uploadTime) {}
