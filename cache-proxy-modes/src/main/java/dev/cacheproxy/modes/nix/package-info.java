/**
 * The {@code nix} mode: a Nix binary cache. Pull-through of upstream binary caches (asked in order, like
 * Nix's {@code substituters}; a narinfo served only when a trusted key signed it; a NAR only when it hashes
 * to the name its narinfo gave it) and a push target for {@code nix copy --to} (NARs verified against their
 * names, a narinfo accepted only once its NAR is here, optionally signed with the instance's own key).
 * {@link NarInfo} reads narinfos, {@link NixKeys} handles Ed25519 keys and signatures in Nix's formats,
 * {@link NixBase32} Nix's base-32. See reference/hosted-caches.md §1 for what Nix sends and does with each answer.
 */
package dev.cacheproxy.modes.nix;
