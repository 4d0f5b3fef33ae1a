package dev.kiln.build;

import dev.kiln.testing.Fixtures;
import dev.kiln.testing.Tools;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * One case of the build corpus: {@code cases/NN-name/} with a Dockerfile (or Containerfile), a
 * {@code context/} directory, an optional {@code setup.sh} and {@code case.properties}
 * ({@code expect=ok|fail}, {@code target=}, {@code build-args=K=V,...}, {@code buildah=unsupported},
 * {@code buildah-mount-points=P,...}, {@code kiln=ok|fail}, {@code kiln-differs=KEY,...},
 * {@code http=DIR}, {@code notes=}). See cases/README.md.
 *
 * @param expectOk           what buildah does (and kiln, unless {@code kilnExpectOk} says otherwise)
 * @param buildahMountPoints the targets of the case's RUN --mount options that buildah leaves in
 *     its image as empty placeholders; compared as {@link BuildResult#RUNTIME_PLACEHOLDERS} are
 * @param kilnExpectOk       kiln's outcome where it deliberately differs from buildah's ({@code kiln=});
 *     else {@code expectOk}
 * @param kilnDiffers        the paths and {@code config:FIELD}s where kiln deliberately differs from
 *     buildah ({@code kiln-differs=}); each must differ and nothing else may. Every deliberate
 *     difference has a row in docs/COMPATIBILITY.md.
 * @param httpDir            {@code http=DIR}: a directory of the case the suite serves over HTTP on
 *     127.0.0.1 while the case builds, its address passed as the build arg {@code HTTP_BASE}; or null
 */
public record BuildCase(String name, Path dir, Path dockerfile, Path context, boolean expectOk, String target,
                        Map<String, String> buildArgs, boolean buildahSupported, Set<String> buildahMountPoints,
                        boolean kilnExpectOk, Set<String> kilnDiffers, Path httpDir, String notes) {

    /** The corpus in the source tree. */
    public static Path corpusRoot() {
        return Fixtures.repoRoot().resolve("kiln-core/src/test/resources/build/cases");
    }

    /** Every case directory of the corpus, in name order. */
    public static List<Path> all() throws IOException {
        try (Stream<Path> s = Files.list(corpusRoot())) {
            return s.filter(Files::isDirectory).sorted().toList();
        }
    }

    public static BuildCase load(Path dir) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve("case.properties"))) {
            p.load(r);
        }
        Path df = dir.resolve("Dockerfile");
        if (!Files.exists(df)) df = dir.resolve("Containerfile");
        if (!Files.exists(df)) throw new IllegalStateException(dir + ": no Dockerfile or Containerfile");
        String expect = p.getProperty("expect", "").strip();
        if (!expect.equals("ok") && !expect.equals("fail")) throw new IllegalStateException(dir + ": expect must be ok or fail");
        Map<String, String> args = new LinkedHashMap<>();
        for (String kv : p.getProperty("build-args", "").split(",")) {
            if (kv.isBlank()) continue;
            int eq = kv.indexOf('=');
            if (eq < 0) args.put(kv.strip(), null);
            else args.put(kv.substring(0, eq).strip(), kv.substring(eq + 1));
        }
        String target = p.getProperty("target", "").strip();
        String kiln = p.getProperty("kiln", expect).strip();
        if (!kiln.equals("ok") && !kiln.equals("fail")) throw new IllegalStateException(dir + ": kiln must be ok or fail");
        return new BuildCase(dir.getFileName().toString(), dir, df, dir.resolve("context"), expect.equals("ok"),
                target.isEmpty() ? null : target, args, !"unsupported".equals(p.getProperty("buildah", "").strip()),
                list(p, "buildah-mount-points"), kiln.equals("ok"), list(p, "kiln-differs"),
                p.getProperty("http", "").isBlank() ? null : dir.resolve(p.getProperty("http").strip()), p.getProperty("notes", ""));
    }

    private static Set<String> list(Properties p, String key) {
        Set<String> out = new TreeSet<>();
        for (String m : p.getProperty(key, "").split(",")) if (!m.isBlank()) out.add(m.strip());
        return out;
    }

    /**
     * Copies a case into {@code workRoot/NAME} (so the source tree is never modified), makes sure
     * {@code context/} exists (git keeps no empty directories) and runs {@code setup.sh} there with
     * the case directory as working directory. Returns the prepared case directory.
     */
    public static Path prepare(Path caseDir, Path workRoot) throws IOException, InterruptedException {
        Path dest = workRoot.resolve(caseDir.getFileName().toString());
        copyTree(caseDir, dest);
        Files.createDirectories(dest.resolve("context"));
        if (Files.exists(dest.resolve("setup.sh"))) {
            Tools.exec(dest, List.of("sh", "-eu", "setup.sh")).orFail(caseDir.getFileName() + "/setup.sh");
        }
        return dest;
    }

    /**
     * Adds {@code name=value} to the build args of a <em>prepared</em> case (its copy of
     * case.properties), so every builder passes it; for values known only when the suite runs,
     * such as {@code HTTP_BASE}.
     */
    public static void addBuildArg(Path preparedDir, String name, String value) throws IOException {
        Path file = preparedDir.resolve("case.properties");
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        String args = p.getProperty("build-args", "").strip();
        p.setProperty("build-args", (args.isEmpty() ? "" : args + ",") + name + "=" + value);
        try (var w = Files.newBufferedWriter(file)) {
            p.store(w, null);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) Files.createDirectories(t);
                else Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
            }
        }
    }
}
