/**
 * The {@code pypi} mode: a cache of a Python package index for pip, uv, poetry and pdm.
 *
 * <p>Index pages ({@code simple/} and {@code simple/<project>/}) are fetched from the upstream in
 * whichever form it offers (PEP 691 JSON preferred, PEP 503 HTML otherwise), stored as sent, and served
 * in the form the client's {@code Accept} asks for ({@link dev.cacheproxy.modes.pypi.PageFormat}), with
 * every file link moved under the proxy ({@link dev.cacheproxy.modes.pypi.FileLink}) and every attribute
 * kept: hashes, {@code requires-python}, yanked, core metadata (PEP 658/714), signatures. A file link
 * carries the page's digests in its path, so a file is verified before it is stored, stored by its
 * digest (not its URL), and fetched only from the upstream or a files host its pages link to
 * ({@link dev.cacheproxy.modes.pypi.FileHosts}).
 */
package dev.cacheproxy.modes.pypi;
