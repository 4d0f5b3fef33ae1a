package dev.kiln.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.testing.Tools;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The differential build suite (issue 6, first "Done when"): every case of
 * {@code src/test/resources/build/cases} is built with buildah 1.28 ({@link BuildahBuilder}, the
 * reference) and with kiln ({@link KilnBuilder}), one after the other in the same loop, so buildah
 * runs once per case. Per case:
 * <ul>
 *   <li>{@code expect=ok}: both build, and {@code buildah.diff(kiln)} is empty (every entry of the
 *       final tree and the compared config fields; see {@link BuildResult#diff});</li>
 *   <li>{@code expect=fail}: both fail;</li>
 *   <li>{@code buildah=unsupported}: buildah still fails (so the mark is dropped the day buildah
 *       learns the syntax), and kiln matches {@code expect} alone;</li>
 *   <li>where kiln deliberately differs (each difference has a row in docs/COMPATIBILITY.md):
 *       {@code kiln=ok|fail} is kiln's outcome when it is not buildah's, and
 *       {@code kiln-differs=PATH,config:FIELD} the entries that must differ; each listed entry
 *       must still differ (else the mark is stale) and nothing else may.</li>
 * </ul>
 * A case with {@code http=DIR} gets that directory served on 127.0.0.1 ({@link FileServer})
 * while both builders build it, the address as the build arg {@code HTTP_BASE}. Every problem is collected and the test fails once at the end with the whole list. One store
 * per builder and one set of base images ({@link BaseImages}) serve every case; builds run in
 * sequence. {@code -Dkiln.corpus.only=REGEX} picks cases by directory name;
 * {@code -Dkiln.corpus.dump=1} prints both builders' trees (outside /bin, /sbin, /usr) and configs.
 */
@Tag("slow")
@Tag("interop")
@Tag("privileged")
class BuildCorpusTest {
    @TempDir Path tmp;

    @Test
    void kilnBuildsEveryCaseAsBuildahDoes() throws Exception {
        Tools.requireRoot();
        Tools.require("buildah");
        Tools.require("runc");
        List<Path> cases = BuildCase.all();
        assertThat(cases).hasSizeGreaterThanOrEqualTo(60);
        String only = System.getProperty("kiln.corpus.only");
        boolean dump = System.getProperty("kiln.corpus.dump") != null;

        List<BaseImages.Archive> bases = BaseImages.create(tmp.resolve("bases"));
        BuildahBuilder buildah = new BuildahBuilder(tmp);
        for (BaseImages.Archive base : bases) buildah.load(base);
        List<String> problems = new ArrayList<>();
        int ran = 0;
        long start = System.nanoTime();
        try (KilnBuilder kiln = new KilnBuilder(tmp)) {
            for (BaseImages.Archive base : bases) kiln.load(base);
            for (Path dir : cases) {
                if (only != null && !dir.getFileName().toString().matches(only)) continue;
                Path prepared = BuildCase.prepare(dir, tmp.resolve("cases"));
                BuildCase c = BuildCase.load(prepared);
                BuildResult b;
                BuildResult k;
                try (FileServer http = c.httpDir() == null ? null : FileServer.start(c.httpDir())) {
                    if (http != null) c = serve(prepared, http);
                    b = timed(buildah, c).withoutEmpty(c.buildahMountPoints());
                    k = timed(kiln, c);
                }
                problems.addAll(check(c, b, k));
                if (dump) {
                    dump(b);
                    dump(k);
                }
                ran++;
            }
        }
        System.out.printf("corpus: %d of %d cases in %d s, %d with problems%n", ran, cases.size(),
                (System.nanoTime() - start) / 1_000_000_000, problems.stream().map(p -> p.substring(0, p.indexOf(':'))).distinct().count());
        if (!problems.isEmpty()) fail(problems.size() + " problem(s):\n\n" + String.join("\n\n", problems));
    }

    /** The prepared case with {@code HTTP_BASE} set to the server's address. */
    private static BuildCase serve(Path prepared, FileServer http) throws Exception {
        BuildCase.addBuildArg(prepared, "HTTP_BASE", http.base());
        return BuildCase.load(prepared);
    }

    /** What is wrong with one case's pair of results, each problem prefixed with the case name. */
    static List<String> check(BuildCase c, BuildResult buildah, BuildResult kiln) {
        List<String> out = new ArrayList<>();
        if (!c.buildahSupported()) {
            if (buildah.ok()) out.add(c.name() + ": marked buildah=unsupported, but buildah built it (drop the mark): " + buildah);
        } else if (buildah.ok() != c.expectOk()) {
            out.add(c.name() + ": expected buildah to " + verb(c.expectOk()) + ", it did not: " + buildah);
        }
        if (kiln.ok() != c.kilnExpectOk()) out.add(c.name() + ": expected kiln to " + verb(c.kilnExpectOk()) + ", it did not: " + kiln);
        if (kiln.ok() && kiln.tree().isEmpty()) out.add(c.name() + ": kiln built an empty tree");
        if (!c.buildahSupported() || !buildah.ok() || !kiln.ok()) return out;
        if (buildah.tree().isEmpty()) out.add(c.name() + ": buildah built an empty tree");
        Map<String, String> diff = new LinkedHashMap<>(buildah.differences(kiln));
        for (String key : c.kilnDiffers()) {
            if (diff.remove(key) == null) {
                out.add(c.name() + ": kiln-differs lists " + key + ", but kiln now matches buildah there: drop it from the case "
                        + "and from docs/COMPATIBILITY.md");
            }
        }
        if (!diff.isEmpty()) out.add(c.name() + ": kiln differs from buildah:\n  " + String.join("\n  ", diff.values()));
        return out;
    }

    private static String verb(boolean ok) {
        return ok ? "build" : "fail";
    }

    private static BuildResult timed(ImageBuilder builder, BuildCase c) throws Exception {
        long t0 = System.nanoTime();
        BuildResult r = builder.build(c.dir());
        System.out.printf("%-40s %-7s %-7s %5d ms%s%n", c.name(), r.builder(), r.ok() ? "ok" : "failed",
                (System.nanoTime() - t0) / 1_000_000, r.ok() ? "" : "  " + errorLine(r.log()));
        return r;
    }

    private static void dump(BuildResult r) {
        if (!r.ok()) return;
        System.out.println("  " + r.builder() + ":");
        r.tree().forEach((k, v) -> {
            if (!k.startsWith("/bin/") && !k.startsWith("/sbin/") && !k.startsWith("/usr/")) System.out.println("    " + k + "  " + v);
        });
        System.out.println("    config " + r.config());
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
