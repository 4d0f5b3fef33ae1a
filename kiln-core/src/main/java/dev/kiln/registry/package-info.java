/**
 * kiln's client of the OCI distribution API: one {@link dev.kiln.registry.RegistryClient} per
 * registry host, on java.net.http (HTTP/1.1). What the {@code docker://} transport, {@code kiln
 * push/pull/login} and {@code from} build on.
 *
 * <p>Lifecycle: resolve credentials with {@link dev.kiln.registry.CredentialStore#find}, create a
 * client with {@link dev.kiln.registry.RegistryClient#create} and {@link dev.kiln.registry.RegistryOptions}
 * (TLS verification, cert dir, credentials, plain HTTP), then call it from as many threads as
 * wanted. Pull: {@code getManifest} (by tag or digest; index or image), then {@code openBlob} for
 * each blob, whose stream verifies size and digest at EOF and resumes dropped connections with
 * Range requests. Push: {@code mountBlob} (when the blob came from another repository of the same
 * registry) or {@code pushBlob} (HEAD first, then one streamed PUT, or PATCH chunks when
 * {@link dev.kiln.registry.Tuning#chunkedAbove()} asks for them) for every blob,
 * then {@code putManifest} last. Login: {@code checkAuth} then {@code CredentialStore.login}.
 *
 * <p>Authentication follows the WWW-Authenticate challenge (Basic, or Bearer tokens fetched from
 * the realm per scope and cached until they expire); retries with doubling backoff cover I/O
 * errors, 429 and 5xx of idempotent requests and restart whole blob uploads, bounded by
 * {@link dev.kiln.registry.Tuning}. Errors are {@link dev.kiln.oci.KilnException}s naming the
 * registry, repository and action; {@link dev.kiln.oci.NotFoundException} for 404;
 * {@link dev.kiln.oci.InvalidInputException} for content that does not match its digest.
 * Credentials appear only in Authorization headers and auth files: never in messages,
 * {@code toString()} or {@link dev.kiln.registry.RequestListener} events.
 *
 * <p>May use only {@code dev.kiln.oci}, the JDK and Jackson.
 */
package dev.kiln.registry;
