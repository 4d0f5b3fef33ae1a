/**
 * Records for the OCI image spec (and Docker schema 2, which kiln reads and can write): digests,
 * descriptors, media types, manifests, indexes, image configs, history, platforms, image
 * references; canonical JSON in and out that keeps unknown fields and annotations, so a document
 * read and written again loses nothing. Also the error types every other package throws.
 *
 * <p>Every record is a deeply immutable value. {@code X.parse(byte[] unsafeJson)} validates what
 * came from outside and throws {@link dev.kiln.oci.InvalidInputException} naming the bad field
 * ("manifest.layers[1].digest: required field is missing"); {@code toJson()} writes compact UTF-8
 * in the spec's field order, omits unset fields as Go's {@code omitempty} does, sorts labels and
 * annotations by key, and appends unknown fields (kept in {@code extra}) after the known ones.
 * Null and empty collections are the same "not set"; so are null and "" strings. Callers that
 * need the exact bytes of a pulled document (to keep its digest) keep those bytes, not the record.
 *
 * <p>Depends on nothing but the JDK and Jackson. Everything else in kiln may use it.
 */
package dev.kiln.oci;
