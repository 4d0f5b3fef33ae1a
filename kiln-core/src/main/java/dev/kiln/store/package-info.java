/**
 * The local store: content-addressed blobs, image names, unpacked layer snapshots (overlay and
 * vfs drivers), working containers, locks and garbage collection. Its root is an OCI image layout
 * that skopeo, umoci and buildah read; see {@link dev.kiln.store.Store} for the directory map.
 *
 * <p>Uses {@code dev.kiln.oci} (digests, media types, errors), {@code dev.kiln.linux} (mounts,
 * devices, owners, xattrs) and {@code dev.kiln.layer} (applying layers to snapshots, listing and
 * writing a container's changes). Manifests and configs are kept as raw bytes; the store reads
 * only the few fields it needs (gc reachability) from JSON trees.
 *
 * <p>Lifecycle and crash safety: everything is built in {@code tmp/} (same filesystem) and
 * published by a rename — a blob is ingested, verified against its digest and size, then renamed
 * into {@code blobs/}; a snapshot is unpacked and checked against its diffID, then renamed into
 * {@code snapshots/}; a container is set up, then renamed into {@code containers/}. Image names
 * are published last (index.json, under {@code index.lock}, replaced atomically), so a crash
 * leaves at worst unreferenced garbage for {@link dev.kiln.store.Store#gc()}, never a broken image.
 * Long work (unpacking, copying, RUN) happens outside every lock.
 *
 * <p>Processes side by side: each open Store holds a {@code Lease} (a locked file in leases/ that
 * dies with its process, a scratch directory tmp/ID/, and "holds" on what it is about to
 * reference), so gc in any process spares what another is using and clears a dead one's scratch at
 * once. {@link dev.kiln.store.Store#check} (fsck) names every problem; {@link dev.kiln.store.Store#repair}
 * removes what is broken, never a sound image.
 */
package dev.kiln.store;
