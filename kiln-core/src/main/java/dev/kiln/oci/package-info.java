/**
 * Records for the OCI image spec (and Docker schema 2, which kiln reads and can write): digests,
 * descriptors, media types, manifests, indexes, image configs, history, platforms; canonical JSON
 * in and out that keeps unknown fields and annotations, so a document read and written again
 * loses nothing. Also the error types every other package throws.
 *
 * <p>Depends on nothing but the JDK and Jackson. Everything else in kiln may use it.
 */
package dev.kiln.oci;
