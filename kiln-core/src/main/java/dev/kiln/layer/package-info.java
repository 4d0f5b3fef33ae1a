/**
 * Tar streams for layers: write a layer from a container's changes (OCI whiteouts, hardlinks,
 * xattrs, PAX), apply a layer to a directory safely (nothing may leave the root), compress and
 * decompress (gzip, zstd; reading also bzip2, xz), list changes (A/C/D). Streams only: no layer
 * is ever held in memory.
 *
 * <p>Uses {@code dev.kiln.oci} (errors, digests) and {@code dev.kiln.linux} (device nodes,
 * xattrs, ownership). Knows nothing of the store.
 */
package dev.kiln.layer;
