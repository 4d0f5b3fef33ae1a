package dev.kiln.build;

import java.nio.file.Path;

/**
 * One half of the differential build suite (issue 6, first "Done when"): builds one corpus case
 * and reports what came out. {@link BuildahBuilder} is the reference; kiln's builder implements
 * the same interface and the suite compares the two {@link BuildResult}s with
 * {@link BuildResult#diff(BuildResult)}.
 *
 * <p>Contract for implementations:
 * <ul>
 *   <li>{@code caseDir} is a <em>prepared</em> case ({@link BuildCase#prepare(Path, Path)}): its
 *       {@code setup.sh} already ran, so {@code context/} holds every file with its modes, owners,
 *       hardlinks and names.</li>
 *   <li>Read the options with {@link BuildCase#load(Path)}: Dockerfile/Containerfile, context dir,
 *       {@code target}, {@code build-args}.</li>
 *   <li>The base images of {@link BaseImages} are available under their fixed names
 *       ({@code localhost/busybox}, {@code localhost/onbuild}) and nothing is pulled.</li>
 *   <li>Build with the Docker config format (Healthcheck, OnBuild, Shell exist only there).</li>
 *   <li>A build that fails returns {@link BuildResult#failed(String)}; it does not throw. Only a
 *       broken harness (missing tool, I/O error outside the build) throws.</li>
 * </ul>
 */
public interface ImageBuilder {
    BuildResult build(Path caseDir) throws Exception;
}
