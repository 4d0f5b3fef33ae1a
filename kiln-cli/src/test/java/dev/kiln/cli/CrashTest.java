package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.registry.TestRegistry;
import dev.kiln.testing.Tools;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, item 4: a child kiln doing commit, commit --squash, pull, push, rmi, gc or build is killed
 * with SIGKILL at a seeded random moment ({@link CrashHarness}); then {@code kiln fsck --full}
 * must pass, no other image may lose its name, and the same command, run again, must succeed.
 * CI kills each command once on small content; the {@code long} run kills each 20 times (140
 * kills) on larger content and writes its log and tallies to target/reliability/.
 * Seeds: {@code -Dkiln.crash.seed=N}; {@code -Dkiln.crash.cases=build,gc} runs only those cases.
 */
@Tag("tools")
class CrashTest {
    @TempDir
    Path dir;

    @Test
    void eachCommandKilledOnceLeavesASoundStoreAndRunsAgain() throws Exception {
        List<CrashHarness.Tally> tallies = crash(1, new CrashEnv.Scale(100, 48 << 10), Long.getLong("kiln.crash.seed", 8), "crash-ci");
        assertThat(tallies).extracting(CrashHarness.Tally::kills).allMatch(k -> k == 1);
    }

    @Test
    @Tag("long")
    void manyKillsLeaveNoBrokenImage() throws Exception {
        List<CrashHarness.Tally> tallies = crash(20, new CrashEnv.Scale(1500, 64 << 10),
                Long.getLong("kiln.crash.seed", System.currentTimeMillis()), "crash-long");
        // A case that keeps finishing before its moment ends short of 20 (it is repeated at most 84 times).
        assertThat(tallies.stream().mapToInt(CrashHarness.Tally::kills).sum()).isGreaterThanOrEqualTo(tallies.size() * 15);
    }

    /** build's RUN steps need root and runc; without them that case is skipped with the reason printed (CI has both). */
    private static List<CrashHarness.Case> runnableCases(PrintWriter log) {
        boolean canRun = "root".equals(System.getProperty("user.name")) && Tools.onPath("runc");
        if (!canRun) log.println("skipped: build (its RUN steps need root and runc on PATH)");
        List<String> only = List.of(System.getProperty("kiln.crash.cases", "").split(",")).stream().filter(n -> !n.isBlank()).toList();
        return CrashHarness.CASES.stream().filter(c -> canRun || !c.name().equals("build"))
                .filter(c -> only.isEmpty() || only.contains(c.name())).toList();
    }

    private List<CrashHarness.Tally> crash(int killsPerCase, CrashEnv.Scale scale, long seed, String report) throws Exception {
        Path out = Files.createDirectories(CrashHarness.reportDir()).resolve(report + ".txt");
        List<String> failures = new ArrayList<>();
        List<CrashHarness.Tally> tallies;
        try (TestRegistry registry = TestRegistry.start(dir.resolve("registry"), TestRegistry.Config.plain());
             PrintWriter log = new PrintWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8));
             CrashEnv env = CrashEnv.create(dir.resolve("env"), registry, seed, scale)) {
            log.printf("seed %d, %d files of up to %d bytes per layer, store driver %s%n", seed, scale.files(), scale.maxSize(),
                    Files.readString(env.root.resolve("store.json")).strip());
            tallies = CrashHarness.run(env, runnableCases(log), killsPerCase, failures, log);
            log.println();
            tallies.forEach(log::println);
            failures.forEach(f -> log.println("FAILURE: " + f));
        }
        System.out.println(Files.readString(out));
        assertThat(failures).as("see " + out).isEmpty();
        return tallies;
    }
}
