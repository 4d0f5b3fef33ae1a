package dev.kiln.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.testing.Tools;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Validates the build corpus (issue 6, first "Done when") against the reference: every case of
 * {@code src/test/resources/build/cases} is built with buildah 1.28 ({@link BuildahBuilder}); an
 * {@code expect=ok} case must build and give a non-empty tree, an {@code expect=fail} case must
 * fail, and a {@code buildah=unsupported} case must still be rejected by buildah (so the mark is
 * dropped the day buildah learns the flag). One buildah store and one set of base images
 * ({@link BaseImages}) serve every case; builds run in sequence.
 *
 * <p>TODO(issue 6, kiln half): once {@code kiln build} exists, add a {@code KilnBuilder}
 * implementing {@link ImageBuilder} (load {@link BaseImages#create} archives into its store under
 * {@link BaseImages.Archive#name()}, build with the Docker format, return
 * {@link BuildResult#failed} on a build error and {@link BuildResult#listing} of the mounted image
 * otherwise), and a differential test that runs each prepared case through both builders and
 * asserts {@code buildah.diff(kiln)} is empty (for {@code buildah=unsupported} cases: kiln must
 * match {@code expect} alone).
 */
@Tag("slow")
@Tag("interop")
@Tag("privileged")
class BuildCorpusTest {
    @TempDir Path tmp;

    @Test
    void everyCaseBehavesAsExpectedUnderBuildah() throws Exception {
        Tools.requireRoot();
        Tools.require("buildah");
        Tools.require("runc");
        List<Path> cases = BuildCase.all();
        assertThat(cases).hasSizeGreaterThanOrEqualTo(60);
        String only = System.getProperty("kiln.corpus.only");

        BuildahBuilder buildah = new BuildahBuilder(tmp);
        for (BaseImages.Archive base : BaseImages.create(tmp.resolve("bases"))) buildah.load(base);

        List<String> problems = new ArrayList<>();
        long start = System.nanoTime();
        for (Path dir : cases) {
            if (only != null && !dir.getFileName().toString().matches(only)) continue;
            BuildCase c = BuildCase.load(BuildCase.prepare(dir, tmp.resolve("cases")));
            long t0 = System.nanoTime();
            BuildResult r = buildah.build(c.dir());
            boolean wantOk = c.expectOk() && c.buildahSupported();
            String outcome = r.ok() ? "ok" : "failed";
            System.out.printf("%-40s %-7s %5d ms%s%n", c.name(), outcome, (System.nanoTime() - t0) / 1_000_000,
                    r.ok() ? "" : "  " + errorLine(r.log()));
            if (wantOk && !r.ok()) problems.add(c.name() + ": expected to build, buildah failed:\n" + r.log());
            else if (!wantOk && r.ok()) problems.add(c.name() + ": expected buildah to fail, it built: " + r);
            else if (r.ok() && r.tree().isEmpty()) problems.add(c.name() + ": built an empty tree");
            if (System.getProperty("kiln.corpus.dump") != null && r.ok()) {
                r.tree().forEach((k, v) -> { if (!k.startsWith("/bin/") && !k.startsWith("/sbin/") && !k.startsWith("/usr/")) System.out.println("    " + k + "  " + v); });
                System.out.println("    config " + r.config());
            }
        }
        System.out.printf("corpus: %d cases in %d s%n", cases.size(), (System.nanoTime() - start) / 1_000_000_000);
        assertThat(problems).as(String.join("\n\n", problems)).isEmpty();
    }

    /** The line of a failed build's output that says why. */
    private static String errorLine(String log) {
        String last = "";
        for (String line : log.split("\n")) {
            if (line.startsWith("Error:") || line.startsWith("error")) return line;
            if (!line.isBlank()) last = line;
        }
        return last;
    }
}
