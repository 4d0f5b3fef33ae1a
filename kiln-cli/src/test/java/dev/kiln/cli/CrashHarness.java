package dev.kiln.cli;

import dev.kiln.oci.Digest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Kills a child kiln with SIGKILL at a seeded random moment of its work, then checks that
 * {@code kiln fsck --full} calls the store sound, that no other image lost its name, and that the
 * same command, run again, succeeds. Each command is one {@link Case} in {@link #CASES}.
 *
 * <p>Timing: each case is first run to the end once, proving it works and measuring how long it
 * takes ({@code D}) and when it starts working on the store ({@code W}: its lease file appears in
 * leases/; a command that never takes one, such as a push that only reads, uses 0.7 times a bare
 * JVM start). A kill lands at a uniform random moment in {@code [W, D]}. A child that finished
 * before its moment is a miss, not a kill: the round is repeated with a new moment, aiming within
 * the time it actually took.
 */
final class CrashHarness {
    private CrashHarness() {}

    @FunctionalInterface
    interface Prepare {
        void run(CrashEnv env) throws Exception;
    }

    /**
     * A command to kill. {@code prepare} makes sure it has work to do; {@code target} is the image
     * name it writes or removes (null: none), which the lost-names check leaves out;
     * {@code removesTarget}: the command removes it, so a rerun after a kill that came too late to
     * matter finds nothing to remove and says so — that counts as done when the name is gone.
     */
    record Case(String name, Prepare prepare, Function<CrashEnv, List<String>> args, String target, boolean removesTarget) {}

    /** Adding a command to the crash test is one line here. */
    static final List<Case> CASES = List.of(
            new Case("commit", e -> e.containerWithChanges("crash-ctr"), e -> List.of("commit", "crash-ctr", "crashed:commit"),
                    "localhost/crashed:commit", false),
            new Case("commit --squash", e -> e.containerWithChanges("crash-sq"),
                    e -> List.of("commit", "--squash", "crash-sq", "crashed:squash"), "localhost/crashed:squash", false),
            new Case("pull", CrashEnv::pullSourceAbsentLocally, e -> List.of("pull", e.registryRef("pulled:1")),
                    null, false),
            new Case("push", e -> e.freshImage("push-src"), e -> List.of("push", "push-src", e.registryRef("pushed:" + e.next())),
                    null, false),
            new Case("rmi", e -> e.freshImage("rmi-victim"), e -> List.of("rmi", "rmi-victim"), "localhost/rmi-victim:latest", true),
            new Case("gc", CrashEnv::agedGarbage, e -> List.of("gc"), null, false),
            new Case("build", CrashEnv::buildContext, e -> e.buildArgs("crashed:build"), "localhost/crashed:build", false));

    /** What happened to one case. */
    record Tally(String name, int kills, int missed, int broken, int lostNames, int rerunFailures, long runMillis) {
        @Override
        public String toString() {
            return String.format("%-16s kills %3d  missed %3d  broken after kill %d  names lost %d  rerun failures %d  (runs in %d ms)",
                    name, kills, missed, broken, lostNames, rerunFailures, runMillis);
        }
    }

    /** Runs every case of {@code cases} until it was killed {@code killsPerCase} times; failures are described in {@code failures}. */
    static List<Tally> run(CrashEnv env, List<Case> cases, int killsPerCase, List<String> failures, PrintWriter log)
            throws Exception {
        long jvmStart = timed(env, List.of("version"), "jvm-baseline", new long[1]);
        log.printf("bare JVM start (kiln version): %d ms%n", jvmStart);
        List<Tally> out = new ArrayList<>();
        for (Case c : cases) out.add(runCase(env, c, killsPerCase, jvmStart, failures, log));
        return out;
    }

    private static Tally runCase(CrashEnv env, Case c, int kills, long jvmStart, List<String> failures, PrintWriter log)
            throws Exception {
        c.prepare().run(env);
        long[] work = {-1};
        long calibrated = timed(env, c.args().apply(env), "calibrate", work);
        long start = work[0] >= 0 ? work[0] : (long) (0.7 * jvmStart);
        log.printf("%-16s runs in %d ms, works on the store from %d ms%n", c.name(), calibrated, start);
        long runMillis = calibrated;
        int killed = 0, missed = 0, broken = 0, lost = 0, rerunFailed = 0;
        for (int round = 1; killed < kills && round <= kills * 4 + 4; round++) {
            c.prepare().run(env);
            Map<String, Digest> before = env.names();
            List<String> args = c.args().apply(env);
            long delay = (long) (start + env.random.nextDouble() * Math.max(50, runMillis - start));
            long[] seen = {-1};
            long ranFor = killAfter(env, args, delay, c.name() + "-" + round, seen);
            boolean hit = ranFor < 0;
            if (hit) {
                killed++;
            } else {
                missed++;
                // It was quicker than measured: aim within what it took this time.
                start = seen[0] >= 0 ? seen[0] : start * ranFor / Math.max(1, runMillis);
                runMillis = ranFor;
            }
            Cli.Result fsck = env.cli.run("fsck", "--full");
            long leftovers = fsck.out().lines().filter(l -> l.startsWith("leftover")).count();
            if (fsck.code() != 0) {
                broken++;
                failures.add(c.name() + " killed after " + delay + " ms: fsck --full: " + fsck);
            }
            List<String> lostNames = lostNames(before, env.names(), c.target());
            if (!lostNames.isEmpty()) {
                lost++;
                failures.add(c.name() + " killed after " + delay + " ms: names lost or moved: " + lostNames);
            }
            KilnChild.Result rerun = KilnChild.run(env.work.resolve(c.name().replace(' ', '_') + "-" + round + "-rerun"),
                    List.of(), withRoot(env, args), 600);
            boolean done = rerun.code() == 0 || c.removesTarget() && !env.names().containsKey(c.target());
            if (!done) {
                rerunFailed++;
                failures.add(c.name() + " killed after " + delay + " ms: the same command again: " + rerun);
            }
            log.printf("%-16s round %2d  kill at %5d ms  %-6s  fsck %s (%d leftovers)  rerun exit %d%n", c.name(), round, delay,
                    hit ? "killed" : "missed", fsck.code() == 0 ? "sound" : "DAMAGED", leftovers, rerun.code());
            log.flush();
            env.collectGarbage();
            env.dropTrees();
        }
        return new Tally(c.name(), killed, missed, broken, lost, rerunFailed, calibrated);
    }

    /**
     * Starts the command and SIGKILLs it after {@code delayMillis}; returns -1 if it was still
     * running then, else how long it took (a miss), with when its lease appeared in {@code seen[0]}.
     */
    private static long killAfter(CrashEnv env, List<String> args, long delayMillis, String label, long[] seen) throws Exception {
        long t0 = System.nanoTime();
        Process p = KilnChild.start(env.work.resolve(label.replace(' ', '_')), List.of(), withRoot(env, args));
        while (true) {
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            if (elapsed >= delayMillis) break;
            if (p.waitFor(Math.min(2, delayMillis - elapsed), TimeUnit.MILLISECONDS)) {
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            }
            if (seen[0] < 0 && hasLease(env)) seen[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        }
        p.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no finally
        if (!p.waitFor(60, TimeUnit.SECONDS)) throw new AssertionError("a SIGKILLed kiln did not exit");
        return -1;
    }

    /** Runs the command to the end; returns how long it took, and in {@code workStart[0]} when its lease appeared (-1: never). */
    private static long timed(CrashEnv env, List<String> args, String label, long[] workStart) throws Exception {
        long t0 = System.nanoTime();
        Path log = env.work.resolve(label.replace(' ', '_'));
        Process p = KilnChild.start(log, List.of(), withRoot(env, args));
        workStart[0] = -1;
        while (!p.waitFor(2, TimeUnit.MILLISECONDS)) {
            if (workStart[0] < 0 && hasLease(env)) workStart[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        KilnChild.Result r = KilnChild.result(log, p.exitValue());
        if (r.code() != 0) throw new AssertionError("kiln " + String.join(" ", args) + " fails without a kill: " + r);
        return ms;
    }

    private static boolean hasLease(CrashEnv env) throws IOException {
        try (var s = java.nio.file.Files.list(env.root.resolve("leases"))) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith(".lock"));
        }
    }

    private static List<String> withRoot(CrashEnv env, List<String> args) {
        List<String> all = new ArrayList<>(List.of("--root", env.root.toString()));
        all.addAll(args);
        return all;
    }

    /** Names that existed before and now are gone or point elsewhere, the command's own target aside. */
    private static List<String> lostNames(Map<String, Digest> before, Map<String, Digest> after, String target) {
        Map<String, Digest> expected = new TreeMap<>(before);
        if (target != null) expected.remove(target);
        List<String> out = new ArrayList<>();
        expected.forEach((name, digest) -> {
            if (!digest.equals(after.get(name))) out.add(name + " (was " + digest + ", now " + after.get(name) + ")");
        });
        return out;
    }

    static Path reportDir() {
        return Path.of("target", "reliability").toAbsolutePath();
    }
}
