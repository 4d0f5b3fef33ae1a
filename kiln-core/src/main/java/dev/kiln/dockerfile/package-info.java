/**
 * Dockerfile (Containerfile) parsing for {@code kiln build}, written against the Dockerfile
 * reference and BuildKit's frontend, in three separate steps:
 *
 * <ol>
 *   <li>{@link dev.kiln.dockerfile.DockerfileParser#parse(String, String)}: text to
 *       {@link dev.kiln.dockerfile.Node}s (parser directives, comments, continuations, heredocs,
 *       flags) with source positions, then typed {@link dev.kiln.dockerfile.Instruction}s (a
 *       sealed interface, one record per instruction) grouped into
 *       {@link dev.kiln.dockerfile.Stage}s, all in a {@link dev.kiln.dockerfile.Dockerfile}.</li>
 *   <li>Nothing is expanded while parsing: values are kept as written.
 *       {@link dev.kiln.dockerfile.Expander} expands words with the ARG/ENV environment the
 *       executor has at each instruction; {@link dev.kiln.dockerfile.Expander#expands} says which
 *       instructions are expanded by the builder (RUN, CMD, ENTRYPOINT are left to the shell).</li>
 *   <li>Every error is a {@link dev.kiln.dockerfile.DockerfileException}: file, line, column,
 *       reason and the quoted source line.</li>
 * </ol>
 *
 * <p>The {@code .dockerignore} matcher lives here too. Depends only on {@code dev.kiln.oci} (the
 * error types) and the JDK.
 */
package dev.kiln.dockerfile;
