/**
 * Running commands in containers (RUN, {@code kiln run}). {@link dev.kiln.runtime.Runner} takes a
 * {@link dev.kiln.runtime.RunSpec} whose root is an already mounted container filesystem and runs
 * it either through an OCI runtime (runc by default: a bundle with Docker's defaults is written
 * under the caller's state directory, run, and deleted) or, weaker, through util-linux namespaces
 * and a chroot. {@link dev.kiln.runtime.Users} resolves USER[:GROUP] in the rootfs.
 *
 * <p>Lifecycle of one run: resolve the user, create the working directory (it stays, owned by
 * that user, as buildah's run leaves it), create the mount points the image lacks, run, delete the runtime's container, remove
 * the mount points the command left untouched (so they never reach a diff) and the bundle.
 *
 * <p>Uses {@code dev.kiln.oci} (errors), {@code dev.kiln.linux} and {@code dev.kiln.layer.SafePath}
 * only. Never touches the store: the caller mounts the container and passes its root.
 */
package dev.kiln.runtime;
